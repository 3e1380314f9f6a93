// The shell's tokenizer: words, quotes, escapes, comments and output redirection.
#include <gtest/gtest.h>

#include "tokenize.h"

namespace tux3::debugfs {
namespace {

std::vector<std::string> words(std::string_view line) {
  auto t = tokenize(line);
  EXPECT_TRUE(t.is_ok()) << line << ": " << t.status().to_string();
  return t ? t->words : std::vector<std::string>{};
}

std::string error_of(std::string_view line) {
  auto t = tokenize(line);
  EXPECT_FALSE(t.is_ok()) << line;
  return t ? "" : t.status().message();
}

TEST(Tokenize, SplitsOnBlanks) {
  EXPECT_EQ(words("ls -l  /home\t/etc "), (std::vector<std::string>{"ls", "-l", "/home", "/etc"}));
  EXPECT_TRUE(words("").empty());
  EXPECT_TRUE(words(" \t ").empty());
}

TEST(Tokenize, SingleQuotesKeepEverything) {
  EXPECT_EQ(words("cat 'a name' 'x\\y\"z'"),
            (std::vector<std::string>{"cat", "a name", "x\\y\"z"}));
}

TEST(Tokenize, DoubleQuotesUnderstandEscapes) {
  EXPECT_EQ(words(R"(setxattr f user.a "\x00\x41\n\t\\\"")"),
            (std::vector<std::string>{"setxattr", "f", "user.a", std::string("\0A\n\t\\\"", 6)}));
}

TEST(Tokenize, QuotedPartsJoinOneWord) {
  EXPECT_EQ(words(R"(ls /dir/"a name"'s'x)"), (std::vector<std::string>{"ls", "/dir/a names" "x"}));
}

TEST(Tokenize, EmptyQuotesAreAnEmptyWord) {
  EXPECT_EQ(words(R"(setxattr f user.a "")"), (std::vector<std::string>{"setxattr", "f", "user.a", ""}));
  EXPECT_EQ(words("x ''"), (std::vector<std::string>{"x", ""}));
}

TEST(Tokenize, BackslashOutsideQuotesMakesTheNextCharacterOrdinary) {
  EXPECT_EQ(words(R"(cat a\ b \> \#c)"), (std::vector<std::string>{"cat", "a b", ">", "#c"}));
}

TEST(Tokenize, CommentsStartAtAWord) {
  EXPECT_EQ(words("ls /a#b # a comment 'unterminated"), (std::vector<std::string>{"ls", "/a#b"}));
  EXPECT_TRUE(words("# only a comment").empty());
}

TEST(Tokenize, Redirection) {
  auto t = tokenize("graph itree > out.dot");
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->words, (std::vector<std::string>{"graph", "itree"}));
  ASSERT_TRUE(t->redirect.has_value());
  EXPECT_EQ(t->redirect->path, "out.dot");
  EXPECT_FALSE(t->redirect->append);

  t = tokenize("log >>'my log'");
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->words, (std::vector<std::string>{"log"}));
  ASSERT_TRUE(t->redirect.has_value());
  EXPECT_EQ(t->redirect->path, "my log");
  EXPECT_TRUE(t->redirect->append);

  t = tokenize("cat '>' \">\" a>b");
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->words, (std::vector<std::string>{"cat", ">", ">", "a>b"}));
  EXPECT_FALSE(t->redirect.has_value());

  t = tokenize("cat <17> > /dev/null");
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->words, (std::vector<std::string>{"cat", "<17>"}));
  ASSERT_TRUE(t->redirect.has_value());
  EXPECT_EQ(t->redirect->path, "/dev/null");
}

TEST(Tokenize, Errors) {
  EXPECT_EQ(error_of("cat 'open"), "unterminated single quote");
  EXPECT_EQ(error_of("cat \"open"), "unterminated double quote");
  EXPECT_EQ(error_of("cat \"a\\q\""), "unknown escape \\q inside double quotes");
  EXPECT_EQ(error_of("cat \"\\x4\""), "\\x needs two hexadecimal digits");
  EXPECT_EQ(error_of("cat a\\"), "a backslash ends the line");
  EXPECT_EQ(error_of("ls >"), "'>' names no file");
  EXPECT_EQ(error_of("ls > a > b"), "more than one output redirection");
  EXPECT_EQ(error_of(std::string("ls \0x", 5)), "the line holds a NUL byte");
}

TEST(Tokenize, QuoteWordRoundTrips) {
  const std::vector<std::string> samples{"plain", "a name", "it's", "x\"y", "back\\slash", ">",
                                        "#hash", "", std::string("ctl\x01\n", 5), "tab\there"};
  for (const std::string& w : samples) {
    auto t = tokenize("cmd " + quote_word(w));
    ASSERT_TRUE(t.is_ok()) << quote_word(w);
    ASSERT_EQ(t->words.size(), 2u) << quote_word(w);
    EXPECT_EQ(t->words[1], w) << quote_word(w);
  }
  EXPECT_EQ(quote_word("plain"), "plain");
  EXPECT_EQ(quote_word("a b"), "'a b'");
}

}  // namespace
}  // namespace tux3::debugfs
