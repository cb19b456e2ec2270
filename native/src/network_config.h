// The shapes of the sampler's two networks, whatever backend runs them: a normalizing flow
// per channel (or one shared, conditioned on the channel) and the channel-weight network.
#pragma once

#include "mlp.h"
#include "spline.h"

namespace madnis {

struct FlowConfig {
  int dim = 2;
  int condition_dim = 0;  // size of a one-hot channel embedding appended to every conditioner
  SplineConfig spline;
  int hidden = 32, layers = 3;
  Activation activation = Activation::leaky_relu;
  Precision precision = Precision::float64;
};

struct ChannelWeightsConfig {
  int features = 1, channels = 1;
  bool enabled = true;
  int hidden = 32, layers = 3;
  Activation activation = Activation::leaky_relu;
  Precision precision = Precision::float64;
  // Trust region around the prior: the network's logit correction is L·tanh(NN/L), so
  // α_c/prior_c moves by at most e^{±L} before the renormalisation (e^{2L} after). 0: unbounded.
  double max_log_ratio = 0;
};

}  // namespace madnis
