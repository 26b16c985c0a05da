// The bounded capture of a program's output: its last bytes, however they come in.
#include "engine/stream_tail.hpp"

#include <gtest/gtest.h>

#include <string>

namespace inject::engine {
namespace {

TEST(StreamTail, KeepsEverythingUpToItsLimit) {
    StreamTail tail(8);
    tail.append("abc");
    tail.append("defgh");
    EXPECT_EQ(tail.total(), 8U);
    EXPECT_EQ(tail.take(), "abcdefgh");
}

TEST(StreamTail, ThenOnlyTheLastBytesInTheOrderTheyCame) {
    StreamTail tail(8);
    tail.append("abcde");
    tail.append("fghij");  // wraps: "ab" make room
    tail.append("k");
    EXPECT_EQ(tail.total(), 11U);
    EXPECT_EQ(tail.take(), "defghijk");
}

TEST(StreamTail, APieceLongerThanTheLimitLeavesOnlyItsEnd) {
    StreamTail tail(4);
    tail.append("ab");
    tail.append("0123456789");
    EXPECT_EQ(tail.take(), "6789");
    EXPECT_EQ(tail.total(), 12U);
}

TEST(StreamTail, ManySmallPiecesWrapAroundAgainAndAgain) {
    StreamTail tail(7);
    std::string all;
    for (int i = 0; i < 1000; ++i) {
        const std::string piece = std::to_string(i) + ",";
        tail.append(piece);
        all += piece;
    }
    EXPECT_EQ(tail.total(), all.size());
    EXPECT_EQ(tail.take(), all.substr(all.size() - 7));
}

TEST(StreamTail, NeverHoldsMoreThanItsLimit) {
    StreamTail tail(1000);
    for (int i = 0; i < 100; ++i) {
        tail.append(std::string(37, 'x'));
    }
    EXPECT_EQ(tail.capacity(), 1000U) << "grown past the limit";
    EXPECT_EQ(tail.take().size(), 1000U);
}

TEST(StreamTail, ALimitOfZeroKeepsNothingButCounts) {
    StreamTail tail(0);
    tail.append("abc");
    EXPECT_EQ(tail.take(), "");
    EXPECT_EQ(tail.total(), 3U);
}

}  // namespace
}  // namespace inject::engine
