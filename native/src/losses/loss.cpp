#include "loss.h"
#include "../registry.h"

#include <stdexcept>

namespace madnis {

// Each defined in its own file. The registry is this explicit table rather than
// registration from static initialisers: the core is a static library, and its linker drops
// an object file nothing refers to, initialisers and all.
const Loss& stratified_variance_loss();
const Loss& variance_loss();
const Loss& kl_loss();

namespace {

const std::vector<const Loss*>& registry() {
  static const std::vector<const Loss*> losses{&stratified_variance_loss(), &variance_loss(), &kl_loss()};
  return losses;
}

}  // namespace

LossResult Loss::compute(int n_channels, const std::vector<int>& channel, const std::vector<double>& f,
                         const std::vector<double>& g, const std::vector<double>& log_q,
                         const std::vector<double>& alpha) const {
  const size_t n = channel.size();
  if (f.size() != n || g.size() != n || log_q.size() != n || alpha.size() != n)
    throw std::invalid_argument(std::string(name()) + " loss: inputs of different lengths");
  const LossInput in{n_channels, channel, f, g, log_q, alpha};
  LossResult r;
  r.channels = channel_moments(in);
  r.dlog_q.assign(n, 0.0);
  r.dalpha.assign(n, 0.0);
  double total_abs = 0;
  for (const ChannelMoments& m : r.channels)
    if (m.n > 0) total_abs += m.abs_mean;
  if (total_abs <= 0) return r;
  evaluate(in, total_abs, r);
  return r;
}

std::vector<std::string> loss_names() { return names_of(registry()); }

const Loss& find_loss(const std::string& name) { return find_by_name(registry(), name, "loss"); }

}  // namespace madnis
