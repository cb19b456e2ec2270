// Training losses for multi-channel importance sampling (arXiv:2311.01548), each one file
// in this folder, found by name. A loss is importance-weighted by the density g each
// sample was drawn from, so samples from a replay buffer (drawn by an older sampler) can
// be reused; it sees the batch through the channel moments of moments.h.
//
// Adding a loss: a file defining a Loss and its accessor, and one line in the table of
// loss.cpp.
#pragma once

#include <string>
#include <vector>

#include "moments.h"

namespace madnis {

struct LossResult {
  double loss = 0;
  std::vector<double> dlog_q, dalpha;  // per point
  std::vector<ChannelMoments> channels;
};

class Loss {
 public:
  virtual ~Loss() = default;
  virtual const char* name() const = 0;

  // The loss of a batch, its gradient in log q and α per point, and every channel's
  // moments. A batch where nothing passed the cuts (Σ_c A_c = 0) has loss 0 and no
  // gradient: no signal to learn from.
  LossResult compute(int n_channels, const std::vector<int>& channel, const std::vector<double>& f,
                     const std::vector<double>& g, const std::vector<double>& log_q,
                     const std::vector<double>& alpha) const;

 private:
  // Fills r.loss, r.dlog_q and r.dalpha (zero on entry), given the finished moments
  // r.channels and their B = Σ_c A_c > 0.
  virtual void evaluate(const LossInput& in, double total_abs, LossResult& r) const = 0;
};

// The loss of that name; std::invalid_argument naming the known ones otherwise.
const Loss& find_loss(const std::string& name);
// Every registered loss, in the registry's order.
std::vector<std::string> loss_names();

}  // namespace madnis
