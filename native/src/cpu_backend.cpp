// The CPU backend: the Flow and ChannelWeights classes (Eigen, one chunk of points per
// thread) behind the backend interfaces.
#include <memory>

#include "backend.h"
#include "channel_weights.h"
#include "flow.h"

namespace madnis {

namespace {

class CpuFlow final : public FlowModel {
 public:
  explicit CpuFlow(const FlowConfig& config) : flow_(config) {}

  const FlowConfig& config() const override { return flow_.config(); }
  int parameter_count() const override { return flow_.parameter_count(); }
  void initialize(double* params, uint64_t seed) const override { flow_.initialize(params, seed); }
  std::unique_ptr<Cache> new_cache() const override { return std::make_unique<CpuCache>(); }

  void log_density(const double* params, const Eigen::MatrixXd& x, const Eigen::MatrixXd* condition,
                   Eigen::VectorXd& log_q, Cache* cache) const override {
    flow_.log_density(params, x, condition, log_q, cache ? &dynamic_cast<CpuCache&>(*cache).flow : nullptr);
  }
  void log_density_backward(const double* params, const Cache& cache, const Eigen::VectorXd& dlog_q,
                            double* grad) const override {
    flow_.log_density_backward(params, dynamic_cast<const CpuCache&>(cache).flow, dlog_q, grad);
  }
  void sample(const double* params, const Eigen::MatrixXd& z, const Eigen::MatrixXd* condition, Eigen::MatrixXd& x,
              Eigen::VectorXd& log_q) const override {
    flow_.sample(params, z, condition, x, log_q);
  }

  int block_count() const override { return flow_.block_count(); }
  const std::vector<int>& transformed(int block) const override { return flow_.transformed(block); }
  void set_fixed_block(double* params, int block, const std::vector<std::vector<double>>& theta) const override {
    flow_.set_fixed_block(params, block, theta);
  }

 private:
  struct CpuCache final : Cache {
    Flow::Cache flow;
  };
  Flow flow_;
};

class CpuChannelWeights final : public ChannelWeightModel {
 public:
  explicit CpuChannelWeights(const ChannelWeightsConfig& config) : weights_(config) {}

  const ChannelWeightsConfig& config() const override { return weights_.config(); }
  bool trainable() const override { return weights_.trainable(); }
  int parameter_count() const override { return weights_.parameter_count(); }
  void initialize(double* params, uint64_t seed) const override { weights_.initialize(params, seed); }
  std::unique_ptr<Cache> new_cache() const override { return std::make_unique<CpuCache>(); }

  void forward(const double* params, const Eigen::MatrixXd& features, const Eigen::MatrixXd& prior,
               const std::vector<char>& active, Eigen::MatrixXd& alpha, Cache* cache) const override {
    weights_.forward(params, features, prior, active, alpha,
                     cache ? &dynamic_cast<CpuCache&>(*cache).weights : nullptr);
  }
  void backward(const double* params, const Cache& cache, const Eigen::MatrixXd& dalpha,
                double* grad) const override {
    weights_.backward(params, dynamic_cast<const CpuCache&>(cache).weights, dalpha, grad);
  }

 private:
  struct CpuCache final : Cache {
    ChannelWeights::Cache weights;
  };
  ChannelWeights weights_;
};

class CpuBackend final : public Backend {
 public:
  const char* name() const override { return "cpu"; }
  std::unique_ptr<FlowModel> make_flow(const FlowConfig& config) const override {
    return std::make_unique<CpuFlow>(config);
  }
  std::unique_ptr<ChannelWeightModel> make_channel_weights(const ChannelWeightsConfig& config) const override {
    return std::make_unique<CpuChannelWeights>(config);
  }
};

}  // namespace

const Backend& cpu_backend() {
  static const CpuBackend backend;
  return backend;
}

}  // namespace madnis
