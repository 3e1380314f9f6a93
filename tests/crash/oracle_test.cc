// oracle_test.cc: the oracle (oracle.h) on hand-made recordings: it accepts what a crash
// may leave and names what it may not (an older delta than acknowledged, a lost fsync, a
// mode fdatasync never promised, an ordering violation across threads).
#include <gtest/gtest.h>

#include "oracle.h"

namespace tux3::crash {
namespace {

Node file(uint64_t ino, std::string data, uint32_t mode = 0100644) {
  Node n;
  n.type = format::FileType::kRegular;
  n.ino = ino;
  n.mode = mode;
  n.nlink = 1;
  n.size = data.size();
  n.data = std::move(data);
  return n;
}

StepRecord step(std::string command, std::string path, Tree state, uint64_t durable,
                uint64_t start_seq = 0, uint64_t end_seq = 0) {
  StepRecord s;
  s.command = std::move(command);
  s.path = std::move(path);
  s.state = std::move(state);
  s.durable_delta = durable;
  s.start_seq = start_seq;
  s.end_seq = end_seq;
  s.fsync = s.command == "fsync" || s.command == "fdatasync";
  s.datasync = s.command == "fdatasync";
  s.sync = s.command == "sync";
  s.mutating = !s.fsync && !s.sync;
  return s;
}

// One thread: write a; sync (delta 5); write a again; fsync a (a stream); chmod a;
// fdatasync a (writes nothing: a mode change alone).
Recording one_thread() {
  Recording r;
  r.start_delta = 4;
  ThreadRecord t;
  t.root = "/";
  Tree s1{{"/a", file(16, "one")}};
  Tree s3{{"/a", file(16, "two")}};
  Tree s5{{"/a", file(16, "two", 0100600)}};
  t.steps.push_back(step("write", "/a", s1, 4));
  t.steps.push_back(step("sync", "", s1, 5));
  t.steps.push_back(step("write", "/a", s3, 5));
  t.steps.push_back(step("fsync", "/a", s3, 5));
  t.steps.push_back(step("chmod", "/a", s5, 5));
  t.steps.push_back(step("fdatasync", "/a", s5, 5));
  r.threads.push_back(t);
  return r;
}

std::string judge1(const Recording& r, std::size_t completed, uint64_t delta, Tree got) {
  return judge(r, {{completed}, delta}, {std::move(got)});
}

TEST(Oracle, OneThreadAcceptsTheCommittedPrefix) {
  Recording r = one_thread();
  EXPECT_EQ(judge1(r, 0, 4, {}), "");
  EXPECT_EQ(judge1(r, 1, 4, {}), "");                           // the write was never durable
  EXPECT_EQ(judge1(r, 2, 5, {{"/a", file(16, "one")}}), "");    // the sync's delta
  EXPECT_EQ(judge1(r, 3, 5, {{"/a", file(16, "one")}}), "");    // the second write is not
}

TEST(Oracle, OneThreadRejectsADeltaOlderThanAcknowledged) {
  Recording r = one_thread();
  EXPECT_NE(judge1(r, 2, 4, {}).find("O4"), std::string::npos);
}

TEST(Oracle, OneThreadRejectsTheWrongStateForTheDelta) {
  Recording r = one_thread();
  EXPECT_NE(judge1(r, 2, 5, {}), "");                          // delta 5 holds /a
  EXPECT_NE(judge1(r, 2, 5, {{"/a", file(16, "uno")}}), "");   // with its data
}

TEST(Oracle, AnFsyncThatReturnedMustHaveMadeTheFileDurable) {
  Recording r = one_thread();
  EXPECT_EQ(judge1(r, 3, 5, {{"/a", file(16, "two")}}), "");   // under way: may have
  EXPECT_EQ(judge1(r, 3, 5, {{"/a", file(16, "one")}}), "");   // ... or not
  EXPECT_NE(judge1(r, 4, 5, {{"/a", file(16, "one")}}).find("fsync (command 4)"),
            std::string::npos);
  EXPECT_EQ(judge1(r, 4, 5, {{"/a", file(16, "two")}}), "");
}

TEST(Oracle, FdatasyncDoesNotPromiseTheMode) {
  Recording r = one_thread();
  // After the fdatasync returned: the data of the fsync, the mode of either.
  EXPECT_EQ(judge1(r, 6, 5, {{"/a", file(16, "two")}}), "");
  EXPECT_EQ(judge1(r, 6, 5, {{"/a", file(16, "two", 0100600)}}), "");
  EXPECT_NE(judge1(r, 6, 5, {{"/a", file(16, "one")}}), "");
}

TEST(Oracle, DeltaModeAllowsNoFileAheadOfItsPrefix) {
  Recording r = one_thread();
  r.workload.fsync_mode = format::FsyncMode::kDelta;
  EXPECT_NE(judge1(r, 3, 5, {{"/a", file(16, "two")}}), "");
}

// Two threads: thread 0 creates /t0/x (seq 1-2), then thread 1 creates /t1/y (seq 3-4),
// then thread 0 syncs (seq 5-6).
Recording two_threads() {
  Recording r;
  r.workload.async_commits = true;
  ThreadRecord a, b;
  a.root = "/t0";
  b.root = "/t1";
  a.steps.push_back(step("write", "/t0/x", {{"/t0/x", file(16, "x")}}, 4, 1, 2));
  b.steps.push_back(step("write", "/t1/y", {{"/t1/y", file(17, "y")}}, 4, 3, 4));
  a.steps.push_back(step("sync", "", {{"/t0/x", file(16, "x")}}, 5, 5, 6));
  r.threads = {a, b};
  return r;
}

TEST(Oracle, ThreadsMayLoseWhatNoSyncCovered) {
  Recording r = two_threads();
  EXPECT_EQ(judge(r, {{1, 1}, 4}, {{}, {}}), "");
  EXPECT_EQ(judge(r, {{1, 1}, 4}, {{{"/t0/x", file(16, "x")}}, {}}), "");
  EXPECT_EQ(judge(r, {{1, 1}, 4}, {{{"/t0/x", file(16, "x")}}, {{"/t1/y", file(17, "y")}}}), "");
}

TEST(Oracle, ThreadsKeepCompletedBeforeBegan) {
  Recording r = two_threads();
  // y is durable, x (which completed before y began) is not: O6.
  EXPECT_NE(judge(r, {{1, 1}, 4}, {{}, {{"/t1/y", file(17, "y")}}}).find("O6"), std::string::npos);
}

TEST(Oracle, ThreadsHonourAnAcknowledgedSync) {
  Recording r = two_threads();
  // The sync returned: both creates completed before it began.
  EXPECT_NE(judge(r, {{2, 1}, 5}, {{{"/t0/x", file(16, "x")}}, {}}).find("O4"), std::string::npos);
  EXPECT_EQ(judge(r, {{2, 1}, 5}, {{{"/t0/x", file(16, "x")}}, {{"/t1/y", file(17, "y")}}}), "");
}

}  // namespace
}  // namespace tux3::crash
