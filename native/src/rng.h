// Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11).
//
// Every uniform number is a pure function of (seed, stream, point index, dimension), so
// a point's random numbers do not depend on which thread draws it or in which order:
// the same seed gives the same sample for any thread count and any batch split.
#pragma once

#include <array>
#include <cstdint>

namespace madnis {

class Philox4x32 {
 public:
  using Block = std::array<uint32_t, 4>;

  explicit Philox4x32(uint64_t seed) : key_{uint32_t(seed), uint32_t(seed >> 32)} {}

  Block operator()(Block counter) const {
    std::array<uint32_t, 2> key = key_;
    for (int round = 0; round < 10; ++round) {
      if (round > 0) {
        key[0] += kWeyl0;
        key[1] += kWeyl1;
      }
      const uint64_t p0 = uint64_t(kMul0) * counter[0];
      const uint64_t p1 = uint64_t(kMul1) * counter[2];
      counter = {uint32_t(p1 >> 32) ^ counter[1] ^ key[0], uint32_t(p1),
                 uint32_t(p0 >> 32) ^ counter[3] ^ key[1], uint32_t(p0)};
    }
    return counter;
  }

 private:
  static constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  static constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  std::array<uint32_t, 2> key_;
};

// 53 random bits to a double in the open interval (0, 1): never exactly 0 or 1, so
// maps with logarithms or poles at the edges stay finite.
inline double bits_to_open_unit(uint32_t hi, uint32_t lo) {
  const uint64_t bits = ((uint64_t(hi) << 32) | lo) >> 11;
  return (double(bits) + 0.5) * 0x1.0p-53;
}

// Uniform points in [0,1]^dim for one (seed, stream): point `index` always gets the
// same numbers. Streams separate independent uses of one seed (phase, iteration, channel).
class UniformStream {
 public:
  UniformStream(uint64_t seed, uint64_t stream) : philox_(seed), stream_(stream) {}

  void fill_point(uint64_t index, int dim, double* out) const {
    for (int k = 0; k < dim; k += 2) {
      const uint32_t block = uint32_t(k) >> 1;  // < 2^16 for any sane dimension
      const Philox4x32::Block r = philox_({uint32_t(index), uint32_t(index >> 32),
                                           uint32_t(stream_),
                                           uint32_t(stream_ >> 32) | (block << 16)});
      out[k] = bits_to_open_unit(r[0], r[1]);
      if (k + 1 < dim) out[k + 1] = bits_to_open_unit(r[2], r[3]);
    }
  }

 private:
  Philox4x32 philox_;
  uint64_t stream_;
};

// Stream ids (48 bits) from readable parts, so two uses of the same seed never collide:
// purpose < 2^8, iteration < 2^20, channel < 2^20.
constexpr uint64_t make_stream(uint32_t purpose, uint32_t iteration, uint32_t channel) {
  return (uint64_t(purpose & 0xFFu) << 40) | (uint64_t(iteration & 0xFFFFFu) << 20) |
         uint64_t(channel & 0xFFFFFu);
}

}  // namespace madnis
