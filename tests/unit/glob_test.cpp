// The globs of `path` and `process`: what they match, and which are refused when read.
#include "engine/glob.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace inject::glob {
namespace {

bool path_matches(std::string_view glob, std::string_view path) {
    check_path_glob(glob);
    return PathGlob(glob).matches(path);
}

std::string path_glob_error(std::string_view glob) {
    try {
        check_path_glob(glob);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "no error";
}

std::string name_glob_error(std::string_view glob) {
    try {
        check_name_glob(glob);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "no error";
}

TEST(PathGlob, StarAndQuestionMarkStayWithinAComponent) {
    EXPECT_TRUE(path_matches("/tmp/*.log", "/tmp/x.log"));
    EXPECT_TRUE(path_matches("/tmp/*", "/tmp/.hidden"));  // no FNM_PERIOD
    EXPECT_FALSE(path_matches("/tmp/*.log", "/tmp/a/x.log"));
    EXPECT_FALSE(path_matches("/tmp/*", "/tmp"));
    EXPECT_TRUE(path_matches("/tmp/?.log", "/tmp/x.log"));
    EXPECT_FALSE(path_matches("/tmp/?.log", "/tmp/xy.log"));
    EXPECT_TRUE(path_matches("/tmp/[a-c]x", "/tmp/bx"));
    EXPECT_FALSE(path_matches("/tmp/[!a-c]x", "/tmp/bx"));
    EXPECT_TRUE(path_matches("/tmp/[[:digit:]].txt", "/tmp/7.txt"));
    EXPECT_TRUE(path_matches("/tmp/\\*", "/tmp/*"));
    EXPECT_FALSE(path_matches("/tmp/\\*", "/tmp/a"));
    EXPECT_TRUE(path_matches("/tmp/a:b", "/tmp/a:b"));
}

TEST(PathGlob, WholeComponentDoubleStarMatchesAnyDepth) {
    EXPECT_TRUE(path_matches("/tmp/**/x.log", "/tmp/x.log"));
    EXPECT_TRUE(path_matches("/tmp/**/x.log", "/tmp/a/x.log"));
    EXPECT_TRUE(path_matches("/tmp/**/x.log", "/tmp/a/b/x.log"));
    EXPECT_FALSE(path_matches("/tmp/**/x.log", "/var/tmp/x.log"));
    EXPECT_FALSE(path_matches("/tmp/**/x.log", "/tmp/a/x.logs"));
    EXPECT_TRUE(path_matches("**/x.log", "/x.log"));
    EXPECT_TRUE(path_matches("**/x.log", "/home/u/x.log"));
    EXPECT_TRUE(path_matches("/tmp/**", "/tmp"));
    EXPECT_TRUE(path_matches("/tmp/**", "/tmp/a/b"));
    EXPECT_TRUE(path_matches("**", "/"));
    EXPECT_TRUE(path_matches("/a/**/b/**/c", "/a/x/b/y/z/c"));
    EXPECT_TRUE(path_matches("/a/**/**/c", "/a/c"));
    EXPECT_TRUE(path_matches("/a/**/*.c", "/a/b/c/d.c"));
}

// Found by fuzzing: a recursive walk took exponentially long on "**" and "*" alternating
// against a deep path, and the engine runs the matcher at every filtered call.
TEST(PathGlob, ManyAnyDepthsOnADeepPathTakeLinearSteps) {
    std::string glob;
    std::string path;
    for (int i = 0; i < 40; ++i) {
        glob += "/**/*";
        path += "/d";
    }
    EXPECT_FALSE(path_matches(glob + "/x", path + "/y"));
    EXPECT_TRUE(path_matches(glob + "/x", path + "/x"));
    EXPECT_FALSE(path_matches(glob, "/d/d"));  // fewer components than the glob's "*"
    EXPECT_TRUE(path_matches("/**/a/**/b/**", "/a/x/b"));
    EXPECT_TRUE(path_matches("/**/a/**/b/**", "/q/a/b/a/b"));
    EXPECT_FALSE(path_matches("/**/a/**/b", "/b/a"));
}

TEST(PathGlob, MatchesOnlyAbsolutePaths) {
    EXPECT_FALSE(path_matches("**", "pipe:[1234]"));
    EXPECT_FALSE(path_matches("/tmp/x", "tmp/x"));
    EXPECT_FALSE(path_matches("/tmp/x", ""));
}

TEST(PathGlob, EmptyComponentsOfTheGlobMeanNothing) {
    EXPECT_TRUE(path_matches("/tmp//x", "/tmp/x"));
    EXPECT_TRUE(path_matches("/tmp/dir/", "/tmp/dir"));
    EXPECT_TRUE(path_matches("/", "/"));
    EXPECT_FALSE(path_matches("/", "/tmp"));
}

TEST(PathGlob, RefusesWhatCouldNeverMatch) {
    EXPECT_EQ(path_glob_error(""), "path is empty: give a glob such as \"/tmp/out/*\"");
    EXPECT_EQ(path_glob_error("x.log"),
              "path \"x.log\" is relative, but calls' paths are matched made absolute (did you "
              "mean \"**/x.log\"?)");
    EXPECT_EQ(path_glob_error("/tmp/../x"),
              "path \"/tmp/../x\" has a \"..\" component, but calls' paths are matched without "
              "them (write the path it stands for)");
    EXPECT_EQ(path_glob_error("/tmp/./x"),
              "path \"/tmp/./x\" has a \".\" component, but calls' paths are matched without "
              "them (write the path it stands for)");
    EXPECT_EQ(path_glob_error("/tmp/a**"),
              "path \"/tmp/a**\": \"**\" matches any depth only as a whole component, as in "
              "\"/tmp/**/x.log\" (use \"*\" within a name)");
    EXPECT_EQ(path_glob_error("**x"),
              "path \"**x\": \"**\" matches any depth only as a whole component, as in "
              "\"/tmp/**/x.log\" (use \"*\" within a name)");
    EXPECT_EQ(path_glob_error("/tmp/[ab"),
              "path \"/tmp/[ab\" has an unclosed '[' (write \"\\[\" for a '[')");
    EXPECT_EQ(path_glob_error("/tmp/[a/b]"),
              "path \"/tmp/[a/b]\" has an unclosed '[' (write \"\\[\" for a '[')");
    EXPECT_EQ(
        path_glob_error("/tmp/x\\"),  // quoted as a C string is: the '\\' escaped
        "path \"/tmp/x\\\\\" ends with '\\', which escapes nothing (write \"\\\\\" for a '\\')");
    EXPECT_EQ(path_glob_error("/tmp/[]]"), "no error");
    EXPECT_EQ(path_glob_error(std::string("/tmp/x\0y", 8)),
              "path \"/tmp/x\\x00y\" holds a NUL byte, which no file or program name can hold");
    EXPECT_EQ(path_glob_error("/tmp/[!]x]"), "no error");
    EXPECT_EQ(path_glob_error("/tmp/\\["), "no error");
    EXPECT_EQ(path_glob_error("/tmp/[[:alpha:]]"), "no error");
}

TEST(NameGlob, MatchesTheWholeName) {
    EXPECT_TRUE(matches_name("worker*", "worker-3"));
    EXPECT_TRUE(matches_name("cp", "cp"));
    EXPECT_FALSE(matches_name("cp", "scp"));
    EXPECT_TRUE(matches_name("*.py", ".hidden.py"));
}

TEST(NameGlob, RefusesWhatCouldNeverMatch) {
    EXPECT_EQ(name_glob_error(""),
              "process is empty: give a program's name or a glob such as \"worker*\"");
    EXPECT_EQ(name_glob_error("/usr/bin/cp"),
              "process \"/usr/bin/cp\" has a '/', but it is matched against the program's name "
              "(did you mean \"cp\"?)");
    EXPECT_EQ(name_glob_error("a[b"),
              "process \"a[b\" has an unclosed '[' (write \"\\[\" for a '[')");
    EXPECT_EQ(name_glob_error("worker*"), "no error");
}

}  // namespace
}  // namespace inject::glob
