// spin_mutex.h: the volume lock: a mutex that spins briefly before it sleeps.
//
// The engine's operations hold the volume lock for about a microsecond. With a plain
// std::mutex, two threads writing at once hand it over through the kernel on nearly every
// call: the waiter sleeps, the holder's unlock wakes it (a futex call), and the scheduler
// takes tens of microseconds to run it, so two writers went half as fast as one and their
// p99 latency rose from 3 to 50 us (bench/rewrite.sh; RESULTS.md). Spinning first, as
// glibc's PTHREAD_MUTEX_ADAPTIVE_NP does, lets the waiter take the lock as soon as it is
// free. It sleeps after kSpinFor: when the holder runs long (a marshal) or is not running.
#pragma once

#include <chrono>
#include <mutex>

namespace tux3 {

class SpinMutex {
 public:
  void lock() {
    if (mu_.try_lock()) return;
    auto until = std::chrono::steady_clock::now() + kSpinFor;
    do {
      for (int i = 0; i < 8; ++i) relax();
      if (mu_.try_lock()) return;
    } while (std::chrono::steady_clock::now() < until);
    mu_.lock();
  }
  bool try_lock() { return mu_.try_lock(); }
  void unlock() { mu_.unlock(); }

 private:
  // Measured on 2 cores, two writers rewriting one file (bench/rewrite.sh): spinning for
  // about 2 us helped little, about 20 us most (forking p99 50 -> 17-21 us).
  static constexpr std::chrono::microseconds kSpinFor{20};
  static void relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#endif
  }

  std::mutex mu_;
};

}  // namespace tux3
