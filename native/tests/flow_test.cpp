#include "../src/flow.h"

#include <cmath>

#include "../src/rng.h"
#include "check.h"
#include "gradient_check.h"

using namespace madnis;

namespace {

FlowConfig small_flow(int dim, int condition_dim = 0) {
  FlowConfig c;
  c.dim = dim;
  c.condition_dim = condition_dim;
  c.spline.bins = 6;
  c.hidden = 8;
  c.layers = 2;
  c.activation = Activation::silu;  // smooth, so finite differences see no kinks
  return c;
}

Eigen::MatrixXd uniform_points(Eigen::Index n, int dim, uint64_t stream) {
  const UniformStream s(99, stream);
  Eigen::MatrixXd x(n, dim);
  std::vector<double> p(static_cast<size_t>(dim));
  for (Eigen::Index i = 0; i < n; ++i) {
    s.fill_point(uint64_t(i), dim, p.data());
    for (int d = 0; d < dim; ++d) x(i, d) = p[size_t(d)];
  }
  return x;
}

// Random parameters everywhere, the last layers included, so the flow is far from the identity.
std::vector<double> random_params(const Flow& flow, double scale, uint64_t seed) {
  std::vector<double> params(static_cast<size_t>(flow.parameter_count()));
  const UniformStream s(seed, 7);
  for (size_t k = 0; k < params.size(); ++k) {
    double u;
    s.fill_point(k, 1, &u);
    params[k] = scale * (2 * u - 1);
  }
  return params;
}

}  // namespace

TEST(flow_identity_initialisation) {
  const Flow flow(small_flow(4));
  CHECK(flow.block_count() == 4);  // 2·⌈log₂ 4⌉
  std::vector<double> params(static_cast<size_t>(flow.parameter_count()));
  flow.initialize(params.data(), 3);
  const Eigen::MatrixXd x = uniform_points(50, 4, 1);
  Eigen::VectorXd log_q;
  Eigen::MatrixXd z;
  flow.log_density(params.data(), x, nullptr, log_q, nullptr, &z);
  CHECK((z - x).cwiseAbs().maxCoeff() < 1e-14);
  CHECK(log_q.cwiseAbs().maxCoeff() < 1e-13);
}

TEST(flow_masks_condition_every_dimension_on_every_other) {
  for (int dim : {2, 3, 5, 8, 10}) {
    const Flow flow(small_flow(dim));
    for (int a = 0; a < dim; ++a)
      for (int b = 0; b < dim; ++b) {
        if (a == b) continue;
        bool seen = false;  // a block transforms a while b conditions it
        for (int k = 0; k < flow.block_count(); ++k) {
          const auto& t = flow.transformed(k);
          const bool a_in = std::find(t.begin(), t.end(), a) != t.end();
          const bool b_in = std::find(t.begin(), t.end(), b) != t.end();
          seen = seen || (a_in && !b_in);
        }
        CHECK(seen);
      }
  }
}

TEST(flow_sample_inverts_log_density) {
  for (int condition : {0, 3}) {
    const Flow flow(small_flow(5, condition));
    const std::vector<double> params = random_params(flow, 0.6, 11);
    const Eigen::MatrixXd z = uniform_points(200, 5, 2);
    Eigen::MatrixXd cond = Eigen::MatrixXd::Zero(200, condition);
    if (condition) cond.col(1).setOnes();
    Eigen::MatrixXd x, z_back;
    Eigen::VectorXd log_q_sample, log_q_density;
    flow.sample(params.data(), z, condition ? &cond : nullptr, x, log_q_sample);
    flow.log_density(params.data(), x, condition ? &cond : nullptr, log_q_density, nullptr, &z_back);
    CHECK((z_back - z).cwiseAbs().maxCoeff() < 1e-10);
    CHECK((log_q_sample - log_q_density).cwiseAbs().maxCoeff() < 1e-10);
    CHECK(x.minCoeff() >= 0 && x.maxCoeff() <= 1);
  }
}

TEST(flow_log_density_is_log_jacobian_determinant) {
  const int dim = 4;
  const Flow flow(small_flow(dim));
  const std::vector<double> params = random_params(flow, 0.6, 12);
  const Eigen::MatrixXd x = uniform_points(20, dim, 3);
  Eigen::VectorXd log_q;
  flow.log_density(params.data(), x, nullptr, log_q, nullptr);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    Eigen::MatrixXd jacobian(dim, dim);
    for (int d = 0; d < dim; ++d) {
      const double h = 1e-6;
      Eigen::MatrixXd up = x.row(i), down = x.row(i), z_up, z_down;
      up(0, d) += h;
      down(0, d) -= h;
      Eigen::VectorXd unused;
      flow.log_density(params.data(), up, nullptr, unused, nullptr, &z_up);
      flow.log_density(params.data(), down, nullptr, unused, nullptr, &z_down);
      jacobian.col(d) = ((z_up - z_down) / (2 * h)).transpose();
    }
    CHECK_NEAR(std::log(std::abs(jacobian.determinant())), log_q(i), 1e-6 * std::max(1.0, std::abs(log_q(i))));
  }
}

// L = Σ_i r_i log q(x_i): the full flow, and one coupling block alone (the others left at
// their random values but not differentiated).
TEST(flow_gradient_matches_finite_differences) {
  for (int condition : {0, 2}) {
    const int dim = 3;
    const Flow flow(small_flow(dim, condition));
    std::vector<double> params = random_params(flow, 0.5, 13);
    const Eigen::MatrixXd x = uniform_points(16, dim, 4);
    Eigen::MatrixXd cond = Eigen::MatrixXd::Zero(16, condition);
    if (condition) cond.col(0).setOnes();
    Eigen::VectorXd r(16);
    for (int i = 0; i < 16; ++i) r(i) = std::sin(1.0 + i);
    auto loss = [&]() {
      Eigen::VectorXd log_q;
      flow.log_density(params.data(), x, condition ? &cond : nullptr, log_q, nullptr);
      return r.dot(log_q);
    };
    Flow::Cache cache;
    Eigen::VectorXd log_q;
    flow.log_density(params.data(), x, condition ? &cond : nullptr, log_q, &cache);
    std::vector<double> grad(params.size(), 0.0);
    flow.log_density_backward(params.data(), cache, r, grad.data());
    test::check_gradient(params, grad, loss, test::sample_indices(params.size(), 400), 1e-6, "flow log-density gradient");
  }
}

TEST(coupling_block_gradient_matches_finite_differences) {
  const Flow flow(small_flow(2));
  std::vector<double> params = random_params(flow, 0.5, 14);
  const Eigen::MatrixXd x = uniform_points(10, 2, 5);
  Eigen::VectorXd r = Eigen::VectorXd::LinSpaced(10, -1, 1);
  auto loss = [&]() {
    Eigen::VectorXd log_q;
    flow.log_density(params.data(), x, nullptr, log_q, nullptr);
    return r.dot(log_q);
  };
  Flow::Cache cache;
  Eigen::VectorXd log_q;
  flow.log_density(params.data(), x, nullptr, log_q, &cache);
  std::vector<double> grad(params.size(), 0.0);
  flow.log_density_backward(params.data(), cache, r, grad.data());
  // block 0's conditioner parameters come first in the flat vector
  std::vector<size_t> first_block;
  for (size_t k = 0; k < params.size() / 2; ++k) first_block.push_back(k);
  test::check_gradient(params, grad, loss, first_block, 1e-6, "coupling block gradient");
}

TEST(fixed_block_is_independent_of_its_conditioner_input) {
  const Flow flow(small_flow(2));
  std::vector<double> params = random_params(flow, 0.5, 15);
  std::vector<double> theta(static_cast<size_t>(spline_param_count(flow.config().spline)));
  for (size_t p = 0; p < theta.size(); ++p) theta[p] = 0.3 * std::cos(double(p));
  flow.set_fixed_block(params.data(), 0, {theta});
  // zero the second block too: the flow is then one fixed spline on dimension 1
  flow.set_fixed_block(params.data(), 1, {std::vector<double>(theta.size(), 0.0)});
  Eigen::MatrixXd x(3, 2);
  x << 0.1, 0.4, 0.5, 0.4, 0.9, 0.4;
  Eigen::VectorXd log_q;
  flow.log_density(params.data(), x, nullptr, log_q, nullptr);
  CHECK_NEAR(log_q(0), log_q(1), 1e-14);
  CHECK_NEAR(log_q(1), log_q(2), 1e-14);
  double expected = 0;
  rqs_forward(flow.config().spline, theta.data(), 0.4, &expected);
  CHECK_NEAR(log_q(0), expected, 1e-14);
}
