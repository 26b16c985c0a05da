// A call's path made absolute and normalised by text alone.
#include "engine/paths.hpp"

#include <gtest/gtest.h>

namespace inject::engine {
namespace {

TEST(AbsolutePath, AnAbsolutePathIgnoresTheBase) {
    EXPECT_EQ(absolute_path("/home/u", "/tmp/x.log"), "/tmp/x.log");
}

TEST(AbsolutePath, ARelativePathIsTakenFromTheBase) {
    EXPECT_EQ(absolute_path("/home/u", "x.log"), "/home/u/x.log");
    EXPECT_EQ(absolute_path("/home/u", "out/x.log"), "/home/u/out/x.log");
    EXPECT_EQ(absolute_path("/", "x.log"), "/x.log");
}

TEST(AbsolutePath, DotsAndDoubleSlashesGo) {
    EXPECT_EQ(absolute_path("/home/u", "./x.log"), "/home/u/x.log");
    EXPECT_EQ(absolute_path("/home/u", "../v/x.log"), "/home/v/x.log");
    EXPECT_EQ(absolute_path("/home/u", "a//b/./c/../d"), "/home/u/a/b/d");
    EXPECT_EQ(absolute_path("/", "//tmp///x"), "/tmp/x");
    EXPECT_EQ(absolute_path("/home/u/", "x"), "/home/u/x");
}

TEST(AbsolutePath, DotDotAboveTheRootStaysAtTheRoot) {
    EXPECT_EQ(absolute_path("/home", "../../../etc/passwd"), "/etc/passwd");
    EXPECT_EQ(absolute_path("/", ".."), "/");
    EXPECT_EQ(absolute_path("/a", "/../b"), "/b");
}

TEST(AbsolutePath, NoTrailingSlash) {
    EXPECT_EQ(absolute_path("/home/u", "dir/"), "/home/u/dir");
    EXPECT_EQ(absolute_path("/home/u", "dir/."), "/home/u/dir");
    EXPECT_EQ(absolute_path("/home/u", "."), "/home/u");
    EXPECT_EQ(absolute_path("/", "/"), "/");
}

TEST(AbsolutePath, AnEmptyPathIsTheBaseItself) {
    EXPECT_EQ(absolute_path("/data/dir", ""), "/data/dir");
}

}  // namespace
}  // namespace inject::engine
