// Channel weights, losses and the full training gradient, checked against finite
// differences; the sampler's VEGAS start; the efficiency definitions.
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "../src/backend.h"
#include "../src/channel_weights.h"
#include "../src/flow.h"
#include "../src/losses/loss.h"
#include "../src/process_loader.h"
#include "../src/rng.h"
#include "../src/sampler.h"
#include "../src/trainer.h"
#include "../src/unweight.h"
#include "check.h"
#include "gradient_check.h"
#include "small_sampler.h"

using namespace madnis;

namespace {

double uniform(uint64_t stream, uint64_t index) {
  double u;
  UniformStream(5, stream).fill_point(index, 1, &u);
  return u;
}

void randomise(std::vector<double>& v, double scale, uint64_t stream) {
  for (size_t k = 0; k < v.size(); ++k) v[k] = scale * (2 * uniform(stream, k) - 1);
}

// A synthetic batch: no process needed to test the training algebra.
SampleBatch synthetic_batch(const SamplerConfig& config, int per_channel) {
  SampleBatch b;
  const int n = per_channel * config.channels;
  b.u.resize(n, config.dim);
  b.features.resize(n, config.features);
  b.prior.resize(n, config.channels);
  for (int i = 0; i < n; ++i) {
    b.channel.push_back(i / per_channel);
    for (int d = 0; d < config.dim; ++d) b.u(i, d) = uniform(11, uint64_t(i * 16 + d));
    for (int k = 0; k < config.features; ++k) b.features(i, k) = uniform(12, uint64_t(i * 16 + k)) - 0.5;
    double sum = 0;
    for (int c = 0; c < config.channels; ++c) sum += b.prior(i, c) = 0.1 + uniform(13, uint64_t(i * 16 + c));
    b.prior.row(i) /= sum;
    // an integrand with a few zeros (cuts) and a spread of values
    b.f.push_back(i % 7 == 3 ? 0.0 : 1 + 3 * uniform(14, uint64_t(i)) * b.u(i, 0));
    b.g.push_back(0.5 + uniform(15, uint64_t(i)));
  }
  return b;
}

SamplerConfig small_sampler(VegasInit init) {
  SamplerConfig c;
  c.dim = 3;
  c.channels = 3;
  c.features = 5;
  c.vegas_init = init;
  test::use_small_networks(c);
  return c;
}

}  // namespace

TEST(channel_weights_reduce_to_prior_and_sum_to_one) {
  ChannelWeightsConfig c;
  c.features = 4;
  c.channels = 3;
  const ChannelWeights weights(c);
  std::vector<double> params(static_cast<size_t>(weights.parameter_count()));
  weights.initialize(params.data(), 1);
  Eigen::MatrixXd features = Eigen::MatrixXd::Random(20, 4), prior = Eigen::MatrixXd::Random(20, 3).cwiseAbs();
  for (int i = 0; i < 20; ++i) prior.row(i) /= prior.row(i).sum();
  Eigen::MatrixXd alpha;
  weights.forward(params.data(), features, prior, {1, 1, 1}, alpha, nullptr);
  CHECK((alpha - prior).cwiseAbs().maxCoeff() < 1e-14);
  // a dropped channel gets α = 0 and the others are renormalised
  weights.forward(params.data(), features, prior, {1, 0, 1}, alpha, nullptr);
  for (int i = 0; i < 20; ++i) {
    CHECK(alpha(i, 1) == 0);
    CHECK_NEAR(alpha(i, 0) + alpha(i, 2), 1, 1e-14);
    CHECK_NEAR(alpha(i, 0) / alpha(i, 2), prior(i, 0) / prior(i, 2), 1e-12);
  }
}

// 4 features, 3 channels, a small network
ChannelWeightsConfig small_channel_net() {
  ChannelWeightsConfig c;
  c.features = 4;
  c.channels = 3;
  c.hidden = 8;
  c.layers = 2;
  return c;
}

TEST(channel_weights_gradient_matches_finite_differences) {
  ChannelWeightsConfig c = small_channel_net();
  c.activation = Activation::silu;
  std::vector<double> params(static_cast<size_t>(ChannelWeights(c).parameter_count()));
  randomise(params, 0.5, 21);
  Eigen::MatrixXd features(12, 4), prior(12, 3), r(12, 3);
  for (int i = 0; i < 12; ++i) {
    for (int k = 0; k < 4; ++k) features(i, k) = uniform(22, uint64_t(i * 4 + k)) - 0.5;
    for (int k = 0; k < 3; ++k) {
      prior(i, k) = 0.05 + uniform(23, uint64_t(i * 4 + k));
      r(i, k) = std::sin(double(i * 3 + k));
    }
    prior.row(i) /= prior.row(i).sum();
  }
  for (const double bound : {0.0, 0.7}) {
    c.max_log_ratio = bound;
    const ChannelWeights weights(c);
    for (const std::vector<char>& active : {std::vector<char>{1, 1, 1}, std::vector<char>{1, 0, 1}}) {
      auto loss = [&]() {
        Eigen::MatrixXd alpha;
        weights.forward(params.data(), features, prior, active, alpha, nullptr);
        return (alpha.array() * r.array()).sum();
      };
      ChannelWeights::Cache cache;
      Eigen::MatrixXd alpha;
      weights.forward(params.data(), features, prior, active, alpha, &cache);
      std::vector<double> grad(params.size(), 0.0);
      weights.backward(params.data(), cache, r, grad.data());
      test::check_gradient(params, grad, loss, test::sample_indices(params.size(), 300), 1e-6,
                           bound > 0 ? "bounded channel net gradient" : "channel net gradient");
    }
  }
}

// max_log_ratio L: whatever the network outputs, α_c/prior_c stays within e^{±2L} (each
// logit moves by less than L, the renormalisation by less than another L); unbounded, the
// same parameters go far beyond.
TEST(channel_weights_stay_within_the_trust_region_around_the_prior) {
  ChannelWeightsConfig c = small_channel_net();
  Eigen::MatrixXd features(40, 4), prior(40, 3);
  for (int i = 0; i < 40; ++i) {
    for (int k = 0; k < 4; ++k) features(i, k) = 4 * (uniform(41, uint64_t(i * 4 + k)) - 0.5);
    for (int k = 0; k < 3; ++k) prior(i, k) = 0.01 + uniform(42, uint64_t(i * 4 + k));
    prior.row(i) /= prior.row(i).sum();
  }
  auto largest_log_ratio = [&](double bound) {
    c.max_log_ratio = bound;
    const ChannelWeights weights(c);
    std::vector<double> params(static_cast<size_t>(weights.parameter_count()));
    randomise(params, 3.0, 43);
    Eigen::MatrixXd alpha;
    weights.forward(params.data(), features, prior, {1, 1, 1}, alpha, nullptr);
    for (int i = 0; i < 40; ++i) CHECK_NEAR(alpha.row(i).sum(), 1, 1e-12);
    return (alpha.array() / prior.array()).log().abs().maxCoeff();
  };
  const double bound = 0.5;
  CHECK(largest_log_ratio(bound) <= 2 * bound + 1e-12);
  CHECK(largest_log_ratio(0) > 4 * bound);
}

TEST(loss_registry_lists_the_three_losses_and_names_them_for_an_unknown_one) {
  CHECK((loss_names() == std::vector<std::string>{"stratified_variance", "variance", "kl"}));
  for (const std::string& name : loss_names()) CHECK(find_loss(name).name() == name);
  try {
    find_loss("varianse");
    CHECK(!"an unknown loss throws");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) == "unknown loss 'varianse' (known: stratified_variance, variance, kl)");
  }
}

// ∂L/∂log q_i and ∂L/∂α_i of each loss against finite differences in those inputs.
TEST(loss_gradients_match_finite_differences) {
  const int n = 30, channels = 3;
  std::vector<int> channel;
  std::vector<double> f, g, log_q, alpha;
  for (int i = 0; i < n; ++i) {
    channel.push_back(i % channels);
    f.push_back(i % 5 == 2 ? 0.0 : 0.5 + uniform(31, uint64_t(i)));
    g.push_back(0.3 + uniform(32, uint64_t(i)));
    log_q.push_back(std::log(0.3 + uniform(33, uint64_t(i))));
    alpha.push_back(0.1 + 0.8 * uniform(34, uint64_t(i)));
  }
  for (const std::string& name : loss_names()) {
    const Loss& loss = find_loss(name);
    const LossResult r = loss.compute(channels, channel, f, g, log_q, alpha);
    CHECK(std::isfinite(r.loss));
    // KL holds α and its normalisation fixed: only its log q gradient is defined.
    test::check_gradient(log_q, r.dlog_q, [&] { return loss.compute(channels, channel, f, g, log_q, alpha).loss; },
                         test::sample_indices(size_t(n), 100), 1e-6, "loss gradient in log q");
    if (name != "kl")
      test::check_gradient(alpha, r.dalpha, [&] { return loss.compute(channels, channel, f, g, log_q, alpha).loss; },
                           test::sample_indices(size_t(n), 100), 1e-6, "loss gradient in alpha");
  }
}

TEST(stratified_variance_loss_is_relative_variance_of_optimal_allocation) {
  // One channel, q = g: L = Var(f/q) / ⟨f/q⟩².
  std::vector<int> channel(4, 0);
  std::vector<double> f{1, 2, 3, 4}, g(4, 1.0), log_q(4, 0.0), alpha(4, 1.0);
  const LossResult r = find_loss("stratified_variance").compute(1, channel, f, g, log_q, alpha);
  const double mean = 2.5, var = (1 + 4 + 9 + 16) / 4.0 - mean * mean;
  CHECK_NEAR(r.loss, var / (mean * mean), 1e-15);
}

// The whole training gradient: flows (both VEGAS initialisations; per-channel flows, one
// flow for channels 0 and 2 (a config and its symmetric copy), and one shared flow) and
// channel net, through loss_and_gradient, for every loss.
TEST(training_gradient_matches_finite_differences) {
  ThreadPool pool(2);
  for (VegasInit init : {VegasInit::fixed_map, VegasInit::spline}) {
    for (int sharing : {0, 1, 2}) {
      SamplerConfig config = small_sampler(init);
      config.flow_per_channel = sharing != 2;
      if (sharing == 1) config.flow_group = {0, 1, 0};
      Sampler sampler(config);
      // a non-uniform VEGAS grid in front
      SampleBatch warm = synthetic_batch(sampler.config(), 40);
      refine_vegas(sampler, pool, warm, weigh_batch(sampler, pool, warm), 0.7);
      sampler.start_flow();
      randomise(sampler.params(), 0.4, 41);
      const SampleBatch batch = synthetic_batch(sampler.config(), 12);
      for (const std::string& name : loss_names()) {
        const Loss& objective = find_loss(name);
        std::vector<double> grad;
        loss_and_gradient(sampler, pool, batch, objective, grad);
        std::vector<double>& params = sampler.params();
        auto loss = [&]() {
          std::vector<double> unused;
          return loss_and_gradient(sampler, pool, batch, objective, unused).loss;
        };
        // KL trains the flows only: it holds α fixed, so check the flow parameters.
        const size_t checked = name == "kl" ? size_t(sampler.channel_weight_offset()) : params.size();
        test::check_gradient(params, grad, loss, test::sample_indices(checked, 150), 1e-6, "training loss gradient");
      }
    }
  }
}

// Channels of one flow group sample with one flow: its parameters once, at one offset; with
// the spline start (the flow alone maps z → u) they have the same density everywhere.
TEST(flow_groups_share_one_flow) {
  SamplerConfig config = small_sampler(VegasInit::spline);
  const size_t separate = Sampler(config).params().size();
  config.flow_group = {0, 1, 0};
  Sampler sampler(config);
  CHECK(sampler.flow_offset(0) == sampler.flow_offset(2));
  CHECK(sampler.flow_offset(1) != sampler.flow_offset(0));
  CHECK(sampler.params().size() == separate - size_t(sampler.flow_parameter_count(0)));
  ThreadPool pool(1);
  SampleBatch warm = synthetic_batch(sampler.config(), 40);
  refine_vegas(sampler, pool, warm, weigh_batch(sampler, pool, warm), 0.7);
  sampler.start_flow();
  randomise(sampler.params(), 0.4, 43);
  const SampleBatch batch = synthetic_batch(sampler.config(), 20);
  Eigen::VectorXd q0, q1, q2;
  sampler.log_density(0, batch.u, q0, nullptr);
  sampler.log_density(1, batch.u, q1, nullptr);
  sampler.log_density(2, batch.u, q2, nullptr);
  CHECK((q0 - q2).cwiseAbs().maxCoeff() == 0.0);
  CHECK((q0 - q1).cwiseAbs().maxCoeff() > 1e-3);
  for (const std::vector<int>& bad : {std::vector<int>{0, 2, 1}, std::vector<int>{1, 0, 1}, std::vector<int>{0, 0}}) {
    config.flow_group = bad;
    try {
      Sampler s(config);
      CHECK(!"flow groups not numbered 0, 1, ... in channel order, one per channel, throw");
    } catch (const std::invalid_argument&) {
    }
  }
}

TEST(sampler_backend_is_found_by_name) {
  CHECK((backend_names() == std::vector<std::string>{"cpu"}));
  CHECK(&find_backend("cpu") == &cpu_backend());
  SamplerConfig config = small_sampler(VegasInit::spline);
  config.backend = "cuda";
  try {
    Sampler sampler(config);
    CHECK(!"an unknown backend throws");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) == "unknown network backend 'cuda' (known: cpu)");
  }
}

// The CPU backend's models are the Flow and ChannelWeights classes, unchanged: the same
// numbers, bit for bit, through the interface.
TEST(cpu_backend_models_match_the_cpu_classes) {
  FlowConfig fc;
  fc.dim = 3;
  fc.condition_dim = 2;
  fc.hidden = 8;
  fc.spline.bins = 5;
  const Flow flow(fc);
  const std::unique_ptr<FlowModel> model = cpu_backend().make_flow(fc);
  CHECK(model->parameter_count() == flow.parameter_count());
  std::vector<double> params(size_t(flow.parameter_count()));
  randomise(params, 0.5, 61);
  Eigen::MatrixXd x(20, 3), condition = Eigen::MatrixXd::Zero(20, 2);
  for (int i = 0; i < 20; ++i) {
    for (int d = 0; d < 3; ++d) x(i, d) = uniform(62, uint64_t(i * 3 + d));
    condition(i, i % 2) = 1;
  }
  Eigen::VectorXd lq_flow, lq_model, dlog_q(20);
  for (int i = 0; i < 20; ++i) dlog_q(i) = uniform(63, uint64_t(i)) - 0.5;
  Flow::Cache flow_cache;
  flow.log_density(params.data(), x, &condition, lq_flow, &flow_cache);
  const std::unique_ptr<FlowModel::Cache> model_cache = model->new_cache();
  model->log_density(params.data(), x, &condition, lq_model, model_cache.get());
  CHECK(lq_flow == lq_model);
  std::vector<double> g_flow(params.size(), 0.0), g_model(params.size(), 0.0);
  flow.log_density_backward(params.data(), flow_cache, dlog_q, g_flow.data());
  model->log_density_backward(params.data(), *model_cache, dlog_q, g_model.data());
  CHECK(g_flow == g_model);

  ChannelWeightsConfig wc;
  wc.features = 3;
  wc.channels = 2;
  wc.hidden = 8;
  const ChannelWeights weights(wc);
  const std::unique_ptr<ChannelWeightModel> weight_model = cpu_backend().make_channel_weights(wc);
  CHECK(weight_model->parameter_count() == weights.parameter_count() && weight_model->trainable());
  std::vector<double> w_params(size_t(weights.parameter_count()));
  randomise(w_params, 0.5, 64);
  Eigen::MatrixXd prior = Eigen::MatrixXd::Constant(20, 2, 0.5), a_class, a_model;
  weights.forward(w_params.data(), x, prior, {1, 1}, a_class, nullptr);
  weight_model->forward(w_params.data(), x, prior, {1, 1}, a_model, nullptr);
  CHECK(a_class == a_model);
}

TEST(identity_flow_in_front_of_vegas_samples_exactly_like_vegas) {
  ThreadPool pool(1);
  Sampler sampler(small_sampler(VegasInit::fixed_map));
  SampleBatch warm = synthetic_batch(sampler.config(), 60);
  refine_vegas(sampler, pool, warm, weigh_batch(sampler, pool, warm), 0.7);
  Eigen::MatrixXd z(100, 3);
  for (int i = 0; i < 100; ++i)
    for (int d = 0; d < 3; ++d) z(i, d) = uniform(51, uint64_t(i * 3 + d));
  Eigen::MatrixXd u_vegas, u_flow;
  Eigen::VectorXd lq_vegas, lq_flow;
  sampler.sample(1, z, u_vegas, lq_vegas);
  CHECK((u_vegas - z).cwiseAbs().maxCoeff() > 1e-3);  // the grid did adapt
  sampler.start_flow();
  sampler.sample(1, z, u_flow, lq_flow);
  CHECK((u_flow - u_vegas).cwiseAbs().maxCoeff() < 1e-13);
  CHECK((lq_flow - lq_vegas).cwiseAbs().maxCoeff() < 1e-12);
}

TEST(spline_initialisation_follows_the_vegas_grid) {
  ThreadPool pool(1);
  SamplerConfig config = small_sampler(VegasInit::spline);
  config.flow.spline.bins = 16;  // as many spline bins as VEGAS bins: nothing merged
  Sampler sampler(config);
  SampleBatch warm = synthetic_batch(sampler.config(), 60);
  refine_vegas(sampler, pool, warm, weigh_batch(sampler, pool, warm), 0.7);
  const Eigen::MatrixXd u = synthetic_batch(sampler.config(), 30).u;
  Eigen::VectorXd lq_vegas, lq_flow;
  sampler.log_density(0, u, lq_vegas, nullptr);
  sampler.start_flow();
  sampler.log_density(0, u, lq_flow, nullptr);
  // The spline interpolates the piecewise-linear VEGAS map with smooth knots: the
  // densities agree to within the smoothing across bin edges.
  double mean_abs = 0;
  for (Eigen::Index i = 0; i < u.rows(); ++i) mean_abs += std::abs(lq_flow(i) - lq_vegas(i));
  mean_abs /= double(u.rows());
  CHECK(mean_abs < 0.15);
  CHECK(lq_vegas.cwiseAbs().maxCoeff() > 0.05);  // the grid is not the identity
}

TEST(unweighting_efficiency_definitions) {
  // 98 weights 1, one 2, one 100: ⟨w⟩ = 2.
  std::vector<double> w(98, 1.0);
  w.push_back(2.0);
  w.push_back(100.0);
  const Efficiency e = unweighting_efficiency(w, {});
  CHECK_NEAR(e.mean, 2.0, 1e-15);
  CHECK_NEAR(e.plain_max.efficiency, 0.02, 1e-15);
  // excess above w_max: (100 − w) + (2 − w)₊ ≤ 0.01·200 = 2  →  w_max = 98
  CHECK_NEAR(e.truncated.w_max, 98.0, 1e-12);
  CHECK_NEAR(e.truncated.overweight_fraction, 0.01, 1e-15);
  CHECK_NEAR(e.truncated.overweight_sigma_share, 0.5, 1e-15);
  // acceptance at w_max = 98: (98 + 2 + 98) / 100 / 98
  CHECK_NEAR(e.truncated.acceptance, 198.0 / 100 / 98, 1e-15);
  // negative weights count by magnitude and are reported
  std::vector<double> signed_w(w);
  signed_w[0] = -1.0;
  const Efficiency s = unweighting_efficiency(signed_w, {});
  CHECK(s.n_negative == 1);
  CHECK_NEAR(s.mean, 2.0, 1e-15);
  const OverweightStats at2 = overweights_at(w, 2.0);
  CHECK_NEAR(at2.acceptance, (98 + 2 + 2) / 100.0 / 2.0, 1e-15);
}

// Chunks are reduced in a fixed order, so the thread count must not change a bit.
TEST(training_gradient_is_independent_of_thread_count) {
  SamplerConfig config = small_sampler(VegasInit::spline);
  config.flow.activation = Activation::leaky_relu;
  Sampler sampler(config);
  ThreadPool one(1), two(2);
  SampleBatch warm = synthetic_batch(sampler.config(), 700);
  refine_vegas(sampler, one, warm, weigh_batch(sampler, one, warm), 0.7);
  sampler.start_flow();
  randomise(sampler.params(), 0.4, 43);
  const SampleBatch batch = synthetic_batch(sampler.config(), 3000);
  std::vector<double> g1, g2;
  const double l1 = loss_and_gradient(sampler, one, batch, find_loss("stratified_variance"), g1).loss;
  const double l2 = loss_and_gradient(sampler, two, batch, find_loss("stratified_variance"), g2).loss;
  CHECK(l1 == l2);
  size_t differ = 0;
  for (size_t k = 0; k < g1.size(); ++k) differ += g1[k] != g2[k];
  if (differ) std::printf("     %zu of %zu gradient components differ\n", differ, g1.size());
  CHECK(differ == 0);
}

TEST(online_step_on_a_process_is_independent_of_thread_count) {
  const char* dir = std::getenv("MADNIS_TEST_PROCESS_DIR");
  if (!dir || !*dir) SKIP("MADNIS_TEST_PROCESS_DIR not set (build/native/processes)");
  std::vector<std::vector<double>> params;
  for (int threads : {1, 2}) {
    LoadedProcess process(std::string(dir) + "/camel.so", "channels=2", threads);
    ThreadPool pool(threads);
    SamplerConfig config = small_sampler(VegasInit::spline);
    config.dim = 4;
    config.channels = 2;
    config.features = 4;
    Sampler sampler(config);
    SampleBatch warm = draw_batch(sampler, process, pool, {2000, 2000}, 7, kStreamVegas, 0);
    refine_vegas(sampler, pool, warm, weigh_batch(sampler, pool, warm), 0.7);
    sampler.start_flow();
    for (uint32_t step = 0; step < 3; ++step) {
      SampleBatch batch = draw_batch(sampler, process, pool, {512, 512}, 7, kStreamTrain, step);
      train_step(sampler, pool, batch, find_loss("stratified_variance"), 1e-3);
    }
    params.push_back(sampler.params());
  }
  size_t differ = 0;
  for (size_t k = 0; k < params[0].size(); ++k) differ += params[0][k] != params[1][k];
  if (differ) std::printf("     %zu of %zu parameters differ\n", differ, params[0].size());
  CHECK(differ == 0);
}
