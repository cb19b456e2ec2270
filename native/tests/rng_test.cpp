#include "../src/rng.h"

#include <set>

#include "check.h"

using madnis::Philox4x32;

// Known-answer vectors of Philox4x32-10 from the Random123 distribution.
TEST(philox_known_answers) {
  {
    const auto r = Philox4x32(0)({0, 0, 0, 0});
    CHECK(r[0] == 0x6627e8d5u && r[1] == 0xe169c58du && r[2] == 0xbc57ac4cu && r[3] == 0x9b00dbd8u);
  }
  {
    const auto r = Philox4x32(~0ull)({~0u, ~0u, ~0u, ~0u});
    CHECK(r[0] == 0x408f276du && r[1] == 0x41c83b0eu && r[2] == 0xa20bc7c6u && r[3] == 0x6d5451fdu);
  }
  {
    const auto r = Philox4x32(0x299f31d0a4093822ull)({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u});
    CHECK(r[0] == 0xd16cfe09u && r[1] == 0x94fdccebu && r[2] == 0x5001e420u && r[3] == 0x24126ea1u);
  }
}

TEST(uniform_stream_is_open_unit_and_mean_half) {
  const madnis::UniformStream stream(42, madnis::make_stream(1, 0, 0));
  double u[5], sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    stream.fill_point(uint64_t(i), 5, u);
    for (double x : u) {
      CHECK(x > 0 && x < 1);
      sum += x;
    }
  }
  // mean of 1e6 uniforms: standard error 1/sqrt(12 * 1e6) ≈ 2.9e-4; 5 sigma.
  CHECK_NEAR(sum / (5.0 * n), 0.5, 5 * 2.9e-4);
}

TEST(streams_and_dimensions_differ) {
  const madnis::UniformStream a(7, madnis::make_stream(1, 0, 0)), b(7, madnis::make_stream(1, 0, 1));
  double ua[4], ub[4];
  a.fill_point(3, 4, ua);
  b.fill_point(3, 4, ub);
  std::set<double> all(ua, ua + 4);
  all.insert(ub, ub + 4);
  CHECK(all.size() == 8);
}
