#include "../src/mlp.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "check.h"

using madnis::Activation;
using madnis::Mlp;
using madnis::MlpConfig;

namespace {

// Test data only; any fixed sequence will do.
struct TestRng {
  uint64_t state;
  double uniform(double lo, double hi) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (hi - lo) * double(state >> 11) * 0x1.0p-53;
  }
  Eigen::MatrixXd matrix(Eigen::Index rows, Eigen::Index cols, double lo, double hi) {
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = uniform(lo, hi);
    return m;
  }
};

const Activation kAllActivations[] = {Activation::relu, Activation::leaky_relu, Activation::silu,
                                      Activation::tanh};

double loss(const Mlp& mlp, const std::vector<double>& params, const Eigen::MatrixXd& x,
            const Eigen::MatrixXd& r) {
  Eigen::MatrixXd y;
  mlp.forward(params.data(), x, y, nullptr);
  return (r.array() * y.array()).sum();
}

// Rows of `candidates` whose pre-activations all keep a distance from the kinks of
// relu/leaky_relu, so finite differences never straddle one.
Eigen::MatrixXd away_from_kinks(const Mlp& mlp, const std::vector<double>& params,
                                const Eigen::MatrixXd& candidates, int wanted) {
  Mlp::Cache cache;
  Eigen::MatrixXd y;
  mlp.forward(params.data(), candidates, y, &cache);
  std::vector<Eigen::Index> keep;
  for (Eigen::Index i = 0; i < candidates.rows() && int(keep.size()) < wanted; ++i) {
    bool ok = true;
    for (const auto& z : cache.pre_activations) ok = ok && z.row(i).cwiseAbs().minCoeff() > 1e-3;
    if (ok) keep.push_back(i);
  }
  Eigen::MatrixXd x(keep.size(), candidates.cols());
  for (size_t k = 0; k < keep.size(); ++k) x.row(Eigen::Index(k)) = candidates.row(keep[k]);
  return x;
}

bool close(double num, double ana) {
  return std::abs(num - ana) <= 1e-6 * std::max({1.0, std::abs(num), std::abs(ana)});
}

}  // namespace

TEST(mlp_gradient_matches_finite_differences) {
  TestRng rng{7};
  for (Activation activation : kAllActivations) {
    for (int layers : {0, 1, 3}) {
      const MlpConfig config{3, 2, 5, layers, activation};
      const Mlp mlp(config);
      std::vector<double> params(mlp.parameter_count());
      mlp.initialize(params.data(), 11 + layers, false);
      const Eigen::MatrixXd x = away_from_kinks(mlp, params, rng.matrix(60, 3, -2, 2), 6);
      CHECK(x.rows() == 6);
      const Eigen::MatrixXd r = rng.matrix(x.rows(), 2, -1, 1);
      const std::string where = "activation " + std::to_string(int(activation)) + ", layers " +
                                std::to_string(layers);

      Mlp::Cache cache;
      Eigen::MatrixXd y, dx;
      mlp.forward(params.data(), x, y, &cache);
      // Pre-filled with a constant to check that backward adds rather than overwrites.
      std::vector<double> grad(params.size(), 0.25);
      mlp.backward(params.data(), cache, r, grad.data(), &dx);
      CHECK(dx.rows() == x.rows() && dx.cols() == x.cols());

      for (size_t k = 0; k < params.size(); ++k) {
        std::vector<double> plus = params, minus = params;
        const double h = 1e-6 * std::max(1.0, std::abs(params[k]));
        plus[k] += h;
        minus[k] -= h;
        const double num = (loss(mlp, plus, x, r) - loss(mlp, minus, x, r)) / (plus[k] - minus[k]);
        const double ana = grad[k] - 0.25;
        madnis::test::check(close(num, ana), "d/dparam", __FILE__, __LINE__,
                            where + ", param " + std::to_string(k) + ": " +
                                std::to_string(num) + " vs " + std::to_string(ana));
      }
      for (Eigen::Index i = 0; i < x.rows(); ++i) {
        for (Eigen::Index j = 0; j < x.cols(); ++j) {
          Eigen::MatrixXd plus = x, minus = x;
          const double h = 1e-6 * std::max(1.0, std::abs(x(i, j)));
          plus(i, j) += h;
          minus(i, j) -= h;
          const double num =
              (loss(mlp, params, plus, r) - loss(mlp, params, minus, r)) / (plus(i, j) - minus(i, j));
          madnis::test::check(close(num, dx(i, j)), "d/dx", __FILE__, __LINE__,
                              where + ": " + std::to_string(num) + " vs " + std::to_string(dx(i, j)));
        }
      }
    }
  }
}

TEST(mlp_layout_is_column_major_weights_then_bias) {
  const Mlp mlp(MlpConfig{3, 2, 8, 0, Activation::relu});
  CHECK(mlp.parameter_count() == 3 * 2 + 2);
  std::vector<double> params(8);
  for (int k = 0; k < 8; ++k) params[k] = 0.5 * k - 1.0;
  TestRng rng{3};
  const Eigen::MatrixXd x = rng.matrix(4, 3, -1, 1);
  Eigen::MatrixXd y;
  mlp.forward(params.data(), x, y, nullptr);
  CHECK(y.rows() == 4 && y.cols() == 2);
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 2; ++j) {
      double expected = params[6 + j];
      for (int k = 0; k < 3; ++k) expected += x(i, k) * params[k + 3 * j];
      CHECK_NEAR(y(i, j), expected, 1e-14);
    }
  }
}

TEST(mlp_parameter_count_and_initialisation) {
  const MlpConfig config{4, 62, 32, 3, Activation::leaky_relu};
  const Mlp mlp(config);
  CHECK(mlp.parameter_count() == (4 * 32 + 32) + 2 * (32 * 32 + 32) + (32 * 62 + 62));
  CHECK(Mlp(MlpConfig{5, 7, 32, 0, Activation::tanh}).parameter_count() == 5 * 7 + 7);

  std::vector<double> a(mlp.parameter_count()), b(a.size()), c(a.size());
  mlp.initialize(a.data(), 42, false);
  mlp.initialize(b.data(), 42, false);
  mlp.initialize(c.data(), 43, false);
  CHECK(a == b);
  CHECK(a != c);
  // First layer bound 1/sqrt(4), later ones 1/sqrt(32).
  for (int k = 0; k < 160; ++k) CHECK(std::abs(a[k]) <= 0.5);
  for (size_t k = 160; k < a.size(); ++k) CHECK(std::abs(a[k]) <= 1 / std::sqrt(32.0));
  CHECK(*std::max_element(a.begin(), a.end()) > 0.1);
  CHECK(*std::min_element(a.begin(), a.end()) < -0.1);
}

TEST(mlp_zero_last_layer_gives_zero_output) {
  TestRng rng{5};
  for (Activation activation : kAllActivations) {
    for (int layers : {0, 1, 3}) {
      const Mlp mlp(MlpConfig{4, 6, 16, layers, activation});
      std::vector<double> params(mlp.parameter_count());
      mlp.initialize(params.data(), 9, true);
      const int last = layers == 0 ? 0 : 4 * 16 + 16 + (layers - 1) * (16 * 16 + 16);
      CHECK(std::all_of(params.begin() + last, params.end(), [](double p) { return p == 0; }));
      if (layers > 0) CHECK(params[0] != 0);
      Eigen::MatrixXd y;
      mlp.forward(params.data(), rng.matrix(50, 4, -10, 10), y, nullptr);
      CHECK(y.rows() == 50 && y.cols() == 6);
      CHECK(y.cwiseAbs().maxCoeff() == 0);
    }
  }
}

TEST(mlp_forward_is_deterministic_with_and_without_cache) {
  TestRng rng{13};
  for (Activation activation : kAllActivations) {
    const Mlp mlp(MlpConfig{4, 62, 32, 3, activation});
    std::vector<double> params(mlp.parameter_count());
    mlp.initialize(params.data(), 1, false);
    const Eigen::MatrixXd x = rng.matrix(257, 4, -3, 3);
    Eigen::MatrixXd y1, y2, y3;
    Mlp::Cache cache;
    mlp.forward(params.data(), x, y1, nullptr);
    mlp.forward(params.data(), x, y2, &cache);
    mlp.forward(params.data(), x, y3, nullptr);
    CHECK(y1 == y2);
    CHECK(y1 == y3);
    CHECK(y1.allFinite());
  }
}

// Samples must not depend on how a batch is split across threads or chunks, bit for bit.
TEST(mlp_rows_do_not_depend_on_batch_split) {
  TestRng rng{19};
  const MlpConfig configs[] = {{4, 62, 32, 3, Activation::silu}, {4, 62, 32, 3, Activation::tanh},
                               {3, 10, 64, 2, Activation::leaky_relu}, {2, 1, 8, 1, Activation::relu},
                               {5, 3, 32, 0, Activation::relu}};
  for (MlpConfig config : configs)
   for (madnis::Precision precision : {madnis::Precision::float64, madnis::Precision::float32}) {
    config.precision = precision;
    const Mlp mlp(config);
    std::vector<double> params(mlp.parameter_count()), grad(params.size());
    mlp.initialize(params.data(), 4, false);
    const Eigen::Index n = 1203;  // beyond the padding granule, several kernel row blocks
    const Eigen::MatrixXd x = rng.matrix(n, config.inputs, -3, 3);
    const Eigen::MatrixXd dy = rng.matrix(n, config.outputs, -1, 1);
    Mlp::Cache cache;
    Eigen::MatrixXd y, dx;
    mlp.forward(params.data(), x, y, &cache);
    mlp.backward(params.data(), cache, dy, grad.data(), &dx);
    for (Eigen::Index start : {0, 1, 3, 8, 13, 100, 202, 1100}) {
      for (Eigen::Index rows : {1, 2, 7, 8, 9, 25, 64, 101, 600}) {
        if (start + rows > n) continue;
        Eigen::MatrixXd part_y, part_dx;
        mlp.forward(params.data(), x.middleRows(start, rows), part_y, nullptr);
        CHECK(part_y == y.middleRows(start, rows));
        mlp.forward(params.data(), x.middleRows(start, rows), part_y, &cache);
        mlp.backward(params.data(), cache, dy.middleRows(start, rows), grad.data(), &part_dx);
        CHECK(part_y == y.middleRows(start, rows));
        CHECK(part_dx == dx.middleRows(start, rows));
      }
    }
  }
}

// float32 runs the same network: outputs and gradients as float64's to float's precision
// (the sums over a batch of 2000 points included), not bit for bit.
TEST(mlp_float32_agrees_with_float64) {
  TestRng rng{23};
  for (Activation activation : kAllActivations) {
    MlpConfig config{4, 30, 32, 3, activation};
    const Mlp exact(config);
    config.precision = madnis::Precision::float32;
    const Mlp single(config);
    std::vector<double> params(exact.parameter_count());
    exact.initialize(params.data(), 8, false);
    const Eigen::MatrixXd x = rng.matrix(2000, 4, -3, 3), dy = rng.matrix(2000, 30, -1, 1);
    Mlp::Cache c64, c32;
    Eigen::MatrixXd y64, y32, dx64, dx32;
    exact.forward(params.data(), x, y64, &c64);
    single.forward(params.data(), x, y32, &c32);
    std::vector<double> g64(params.size()), g32(params.size());
    exact.backward(params.data(), c64, dy, g64.data(), &dx64);
    single.backward(params.data(), c32, dy, g32.data(), &dx32);
    const auto relative = [](const auto& a, const auto& b) { return (a - b).norm() / b.norm(); };
    CHECK(relative(y32, y64) < 1e-5);
    CHECK(relative(dx32, dx64) < 1e-5);
    const Eigen::Map<const Eigen::VectorXd> a(g32.data(), Eigen::Index(g32.size())), b(g64.data(), Eigen::Index(g64.size()));
    CHECK(relative(a, b) < 1e-5);
    CHECK(y32 != y64);  // it did run in float
  }
}

TEST(mlp_handles_empty_batch) {
  const Mlp mlp(MlpConfig{3, 2, 8, 2, Activation::silu});
  std::vector<double> params(mlp.parameter_count());
  Eigen::VectorXd grad = Eigen::VectorXd::Ones(mlp.parameter_count());
  mlp.initialize(params.data(), 5, false);
  Mlp::Cache cache;
  Eigen::MatrixXd y, dx;
  mlp.forward(params.data(), Eigen::MatrixXd(0, 3), y, &cache);
  CHECK(y.rows() == 0 && y.cols() == 2);
  mlp.backward(params.data(), cache, Eigen::MatrixXd(0, 2), grad.data(), &dx);
  CHECK(dx.rows() == 0 && dx.cols() == 3);
  CHECK((grad.array() == 1.0).all());
}

TEST(mlp_forward_allows_output_aliasing_input) {
  const Mlp mlp(MlpConfig{3, 3, 8, 0, Activation::tanh});
  std::vector<double> params(mlp.parameter_count());
  mlp.initialize(params.data(), 2, false);
  TestRng rng{17};
  Eigen::MatrixXd x = rng.matrix(10, 3, -1, 1), expected;
  mlp.forward(params.data(), x, expected, nullptr);
  mlp.forward(params.data(), x, x, nullptr);
  CHECK(x == expected);
}

TEST(mlp_silu_stays_finite_at_extreme_inputs) {
  const Mlp mlp(MlpConfig{1, 1, 4, 1, Activation::silu});
  std::vector<double> params(mlp.parameter_count());
  mlp.initialize(params.data(), 3, false);
  Eigen::MatrixXd x(2, 1), y, dx;
  x << -1e6, 1e6;
  Mlp::Cache cache;
  mlp.forward(params.data(), x, y, &cache);
  std::vector<double> grad(params.size(), 0.0);
  mlp.backward(params.data(), cache, Eigen::MatrixXd::Ones(2, 1), grad.data(), &dx);
  CHECK(y.allFinite());
  CHECK(dx.allFinite());
  CHECK(std::all_of(grad.begin(), grad.end(), [](double g) { return std::isfinite(g); }));
}

TEST(mlp_parse_activation) {
  CHECK(madnis::parse_activation("relu") == Activation::relu);
  CHECK(madnis::parse_activation("leaky_relu") == Activation::leaky_relu);
  CHECK(madnis::parse_activation("silu") == Activation::silu);
  CHECK(madnis::parse_activation("tanh") == Activation::tanh);
  bool threw = false;
  try {
    madnis::parse_activation("gelu");
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    threw = message.find("gelu") != std::string::npos &&
            message.find("leaky_relu") != std::string::npos;
  }
  CHECK(threw);
}

TEST(mlp_rejects_bad_config_and_shapes) {
  bool threw = false;
  try {
    Mlp(MlpConfig{0, 1, 32, 3, Activation::relu});
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
  const Mlp mlp(MlpConfig{2, 1, 4, 1, Activation::relu});
  std::vector<double> params(mlp.parameter_count(), 0.1);
  Eigen::MatrixXd y;
  threw = false;
  try {
    mlp.forward(params.data(), Eigen::MatrixXd::Zero(3, 5), y, nullptr);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
}
