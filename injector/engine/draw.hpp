// The coin a probability rule tosses for a call.
//
// The draw is a pure function of (seed, rule index, call number in the rule's count), not the
// next value of a generator shared by the run: with a stream, which calls fail would depend
// on the order in which threads and processes happen to reach the tracer, so the same seed
// could fail different calls. Keyed this way, a seed fails the same calls of a rule's count
// however the threads interleave (exactly the same ones with per=thread or per=process).
#pragma once

#include <cstddef>
#include <cstdint>

namespace inject::engine {

// splitmix64's finaliser: every input bit affects every output bit.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

// 64 uniform bits for the nth call counted by rule `rule_index` in a run seeded `seed`. Each
// input goes through the mix before the next is added, so (seed, rule, n) and, say,
// (seed, rule + 1, n - 1) do not collide.
constexpr std::uint64_t draw_bits(std::uint64_t seed, std::size_t rule_index,
                                  std::uint64_t nth) noexcept {
    constexpr std::uint64_t kGamma = 0x9e3779b97f4a7c15ULL;  // splitmix64's increment
    std::uint64_t x = mix64(seed + kGamma);
    x = mix64(x ^ (static_cast<std::uint64_t>(rule_index) + kGamma));
    x = mix64(x ^ (nth + kGamma));
    return x;
}

// The threshold that bits below succeed with chance `probability` (0 < P <= 1). P = 1 gives
// the maximum and draw_succeeds then always holds, as below-or-equal is the test.
constexpr std::uint64_t draw_threshold(double probability) noexcept {
    if (probability >= 1.0) {
        return UINT64_MAX;
    }
    // 2^64 * P, below 2^64 as P < 1; a double has 53 bits, enough for any P a user writes.
    constexpr double kTwoTo64 = 18446744073709551616.0;
    const double scaled = probability * kTwoTo64;
    return scaled >= kTwoTo64 ? UINT64_MAX : static_cast<std::uint64_t>(scaled);
}

constexpr bool draw_succeeds(std::uint64_t bits, std::uint64_t threshold) noexcept {
    return threshold == UINT64_MAX || bits < threshold;
}

}  // namespace inject::engine
