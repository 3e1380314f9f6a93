// status_test.cc: Status and Result keep error kinds distinct and carry context.
#include <cerrno>

#include <gtest/gtest.h>

#include "tuxdisk/status.h"

namespace tux3 {
namespace {

TEST(Status, OkIsOk) {
  Status s;
  EXPECT_TRUE(s.is_ok());
  EXPECT_EQ(s.to_string(), "ok");
}

TEST(Status, KindsStayDistinct) {
  EXPECT_EQ(Status::corruption("x").code(), Errc::kCorruption);
  EXPECT_EQ(Status::io_error("x").code(), Errc::kIoError);
  EXPECT_EQ(Status::no_space("x").code(), Errc::kNoSpace);
  EXPECT_EQ(Status::invalid_argument("x").code(), Errc::kInvalidArgument);
  EXPECT_EQ(Status::not_supported("x").code(), Errc::kNotSupported);
  EXPECT_NE(Status::corruption("x").code(), Status::io_error("x").code());
}

TEST(Status, ContextIsPrefixedAndBlockKept) {
  Status s = Status::corruption("bad checksum").at_block(42).with_context("inode table");
  EXPECT_EQ(s.message(), "inode table: bad checksum");
  EXPECT_EQ(s.to_string(), "corruption: inode table: bad checksum");
  ASSERT_TRUE(s.block().has_value());
  EXPECT_EQ(*s.block(), 42u);
}

TEST(Status, FromErrnoMapsCommonCodes) {
  EXPECT_EQ(Status::from_errno(ENOENT, "f").code(), Errc::kNotFound);
  EXPECT_EQ(Status::from_errno(EBUSY, "f").code(), Errc::kBusy);
  EXPECT_EQ(Status::from_errno(EIO, "f").code(), Errc::kIoError);
  EXPECT_EQ(Status::from_errno(EIO, "f").sys_errno(), EIO);
  EXPECT_NE(Status::from_errno(ENOENT, "dev").message().find("dev: "), std::string::npos);
}

Result<int> half(int v) {
  if (v % 2) return Status::invalid_argument("odd");
  return v / 2;
}

Result<int> quarter(int v) {
  TUX3_ASSIGN_OR_RETURN(int h, half(v));
  return half(h);
}

TEST(Result, PropagatesValueOrStatus) {
  ASSERT_TRUE(quarter(8).is_ok());
  EXPECT_EQ(*quarter(8), 2);
  EXPECT_EQ(quarter(6).status().code(), Errc::kInvalidArgument);
  EXPECT_TRUE(quarter(8).status().is_ok());
}

}  // namespace
}  // namespace tux3
