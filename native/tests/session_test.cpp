// The training session (native/src/session.h) on built-in processes: what its replay
// buffer keeps, what integrate reports, and that a request is a pure function of the
// session's state.
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>

#include "../src/errors.h"
#include "../src/session.h"
#include "check.h"
#include "small_sampler.h"

using namespace madnis;

namespace {

std::string process_dir() {
  const char* dir = std::getenv("MADNIS_TEST_PROCESS_DIR");
  if (!dir || !*dir) SKIP("MADNIS_TEST_PROCESS_DIR not set (build/native/processes)");
  return dir;
}

// A process with its pool and a small sampler on it.
struct Fixture {
  LoadedProcess process;
  ThreadPool pool;
  TrainingSession session;
  Fixture(const std::string& library, const std::string& params, int threads = 2)
      : process(library, params, threads), pool(threads), session(process, pool, config_for(process.info())) {}

  static SamplerConfig config_for(const ProcessInfo& info) {
    SamplerConfig c;
    c.dim = info.dimension;
    c.channels = info.n_channels;
    c.features = info.pdg.empty() ? info.dimension : 4 * int(info.pdg.size());
    test::use_small_networks(c);
    c.seed = 3;
    return c;
  }
};

std::unique_ptr<Fixture> camel() { return std::make_unique<Fixture>(process_dir() + "/camel.so", "channels=2"); }
std::unique_ptr<Fixture> ee_mumu() { return std::make_unique<Fixture>(process_dir() + "/ee_mumu.so", ""); }

VegasRequest vegas(uint32_t iteration, bool keep, int64_t capacity) {
  VegasRequest r;
  r.draw = {{1000, 1000}, 11, iteration};
  r.damping = 0.7;
  r.keep = keep;
  r.buffer_capacity = capacity;
  return r;
}

bool same_moments(const std::vector<ChannelMoments>& a, const std::vector<ChannelMoments>& b) {
  if (a.size() != b.size()) return false;
  for (size_t c = 0; c < a.size(); ++c)
    if (a[c].n != b[c].n || a[c].mu != b[c].mu || a[c].var != b[c].var || a[c].abs_mean != b[c].abs_mean) return false;
  return true;
}

}  // namespace

TEST(session_vegas_iteration_without_keep_leaves_the_buffer_empty) {
  auto f = camel();
  const StepReport r = f->session.vegas_iteration(vegas(0, false, 5000));
  CHECK(f->session.buffer_size() == 0);
  CHECK(r.channels.size() == 2 && r.channels[0].n == 1000 && r.channels[1].n == 1000);
  CHECK(r.efficiency.n == 2000);
  // a buffer step on an empty buffer does nothing and reports nothing
  const StepReport b = f->session.buffer_step({1e-3, &find_loss("variance")});
  CHECK(b.channels.empty() && b.loss == 0);
}

TEST(session_buffer_keeps_the_newest_capacity_points) {
  auto f = camel();
  // the first iteration's batch, drawn again from a fresh sampler (the same initial grids)
  const Sampler fresh(Fixture::config_for(f->process.info()));
  const SampleBatch first = draw_batch(fresh, f->process, f->pool, {1000, 1000}, 11, kStreamVegas, 0);
  f->session.vegas_iteration(vegas(0, true, 3000));
  CHECK(f->session.buffer_size() == 2000);
  f->session.vegas_iteration(vegas(1, true, 3000));
  CHECK(f->session.buffer_size() == 3000);
  // the oldest 1000 points (the first batch's channel 0) are gone: the buffer starts with
  // the first batch's channel-1 points, then the whole second batch
  const SampleBatch& buffer = f->session.buffer();
  for (int i = 0; i < 3000; ++i) CHECK(buffer.channel[size_t(i)] == (i < 1000 ? 1 : i < 2000 ? 0 : 1));
  CHECK(buffer.u.topRows(1000) == first.u.bottomRows(1000));
  CHECK(buffer.features.rows() == 3000 && buffer.prior.rows() == 3000 && buffer.f.size() == 3000 && buffer.g.size() == 3000);
}

TEST(session_train_step_keeps_its_batch_only_with_a_capacity) {
  auto f = camel();
  f->session.vegas_iteration(vegas(0, false, 0));
  f->session.sampler().start_flow();
  TrainRequest t;
  t.draw = {{300, 300}, 11, 0};
  t.learning_rate = 1e-3;
  const StepReport r = f->session.train_step(t);
  CHECK(f->session.buffer_size() == 0);
  CHECK(std::isfinite(r.loss) && r.grad_norm > 0 && r.efficiency.n == 600);
  t.buffer_capacity = 500;
  t.draw.iteration = 1;
  f->session.train_step(t);
  CHECK(f->session.buffer_size() == 500);
  const StepReport b = f->session.buffer_step({1e-3, &find_loss("stratified_variance")});
  CHECK(b.channels.size() == 2 && b.channels[0].n + b.channels[1].n == 500 && std::isfinite(b.loss));
}

TEST(session_integrate_reports_every_channel_and_combined_weights_average_to_sigma) {
  auto f = ee_mumu();
  f->session.vegas_iteration(vegas(0, false, 0));
  IntegrateRequest request;
  request.draw = {{3000, 1000}, 5, 0};
  request.want_weights = true;
  const IntegrateReport r = f->session.integrate(request);
  CHECK(r.channel_efficiency.size() == 2);
  CHECK(r.channel_efficiency[0].n == 3000 && r.channel_efficiency[1].n == 1000);
  CHECK(r.weights.size() == 4000 && r.channel.size() == 4000);
  // a point of channel c stands for N/n_c points: the mean combined weight is Σ_c μ_c = σ
  double sum = 0;
  for (double w : r.weights) sum += w;
  const double sigma = r.channels[0].mu + r.channels[1].mu;
  CHECK(sigma > 0);
  CHECK_NEAR(sum / 4000, sigma, 1e-12 * sigma);
  CHECK_NEAR(r.efficiency.mean, sigma, 1e-12 * sigma);  // all weights positive here
  // without asking, no weights
  request.want_weights = false;
  CHECK(f->session.integrate(request).weights.empty());
}

TEST(session_same_request_twice_gives_the_same_result) {
  auto a = camel(), b = camel();
  IntegrateRequest request;
  request.draw = {{700, 500}, 9, 2};
  request.want_weights = true;
  for (auto* f : {a.get(), b.get()}) {
    f->session.vegas_iteration(vegas(0, true, 4000));
    f->session.sampler().start_flow();
  }
  // one session, twice: integrate does not change the state
  const IntegrateReport once = a->session.integrate(request), twice = a->session.integrate(request);
  CHECK(once.weights == twice.weights && once.channel == twice.channel && same_moments(once.channels, twice.channels));
  // two sessions, the same steps: the same numbers, bit for bit
  TrainRequest t;
  t.draw = {{256, 256}, 9, 0};
  t.learning_rate = 1e-3;
  t.buffer_capacity = 4000;
  const StepReport ta = a->session.train_step(t), tb = b->session.train_step(t);
  CHECK(ta.loss == tb.loss && ta.grad_norm == tb.grad_norm && same_moments(ta.channels, tb.channels));
  const StepReport ba = a->session.buffer_step({1e-3, &find_loss("variance")}), bb = b->session.buffer_step({1e-3, &find_loss("variance")});
  CHECK(ba.loss == bb.loss && ba.grad_norm == bb.grad_norm);
  CHECK(a->session.sampler().params() == b->session.sampler().params());
  CHECK(a->session.integrate(request).weights == b->session.integrate(request).weights);
}

TEST(session_generate_refuses_a_w_max_that_is_not_positive) {
  auto f = ee_mumu();
  GenerateRequest request;
  request.draw = {{100, 100}, 1, 0};
  request.w_max = 0;
  bool refused = false;
  try {
    f->session.generate(request);
  } catch (const UserError&) {
    refused = true;
  }
  CHECK(refused);
}

TEST(session_generate_gives_each_accepted_event_its_record) {
  auto f = ee_mumu();
  IntegrateRequest probe;
  probe.draw = {{2000, 2000}, 1, 0};
  const double w_max = f->session.integrate(probe).efficiency.truncated.w_max;
  GenerateRequest request;
  request.draw = {{2000, 2000}, 1, 1};
  request.w_max = w_max;
  const GeneratedEvents g = f->session.generate(request);
  const int64_t n = int64_t(g.weight_factor.size());
  CHECK(n > 100 && int64_t(g.channel.size()) == n);
  CHECK(g.events.size() == n && g.events.externals() == 4 && g.events.momenta.size() == size_t(16 * n));
  const ProcessInfo& info = f->process.info();
  for (int64_t k = 0; k < n; ++k) {
    for (int j = 0; j < 4; ++j) CHECK(g.events.pdg[size_t(4 * k + j)] == info.pdg[size_t(j)]);
    // lepton beams: x = 1, and the final state carries the beams' energy
    CHECK(g.events.x1[size_t(k)] == 1 && g.events.x2[size_t(k)] == 1);
    const double* p = g.events.momenta.data() + 16 * k;
    CHECK_NEAR(p[8] + p[12], p[0] + p[4], 1e-9 * p[0]);
  }
}

TEST(sampler_restore_takes_a_whole_state_or_nothing) {
  auto f = camel();
  f->session.vegas_iteration(vegas(0, false, 0));
  Sampler& s = f->session.sampler();
  SamplerSnapshot good;
  good.stage = s.stage();
  good.vegas_in_front = s.vegas_in_front();
  for (const VegasGrid& g : s.grids()) good.grids.push_back(g.to_flat());
  good.params = s.params();
  good.adam = s.adam().state();
  good.active = s.active();
  const std::vector<double> grid0 = good.grids[0];
  // a state with one parameter too few is refused, and nothing of it is taken
  SamplerSnapshot bad = good;
  bad.stage = SamplerStage::flow;
  bad.active.assign(bad.active.size(), 0);
  bad.params.pop_back();
  bool refused = false;
  try {
    s.restore(bad);
  } catch (const std::invalid_argument& e) {
    refused = std::string(e.what()).find("parameters") != std::string::npos;
  }
  CHECK(refused);
  CHECK(s.stage() == good.stage && s.active() == good.active && s.grids()[0].to_flat() == grid0);
  // the whole state round-trips
  s.restore(good);
  CHECK(s.params() == good.params && s.adam().state() == good.adam && s.grids()[0].to_flat() == grid0);
}
