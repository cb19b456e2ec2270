// The small networks the native tests train: fast, and big enough for every code path.
#pragma once

#include "../src/sampler.h"

namespace madnis::test {

inline void use_small_networks(SamplerConfig& c) {
  c.vegas_bins = 16;
  c.flow.spline.bins = 5;
  c.flow.hidden = 8;
  c.flow.layers = 2;
  c.flow.activation = Activation::silu;
  c.channel_weights.hidden = 8;
  c.channel_weights.layers = 2;
  c.channel_weights.activation = Activation::silu;
}

}  // namespace madnis::test
