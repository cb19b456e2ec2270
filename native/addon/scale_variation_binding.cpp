#include "scale_variation_binding.h"

#include <memory>
#include <optional>
#include <vector>

#include "../src/scale_variation.h"
#include "napi_util.h"

namespace madnis::addon {

namespace {

struct Setup {
  std::optional<LHGridPdf> pdf;
  ScaleVariationSetup setup;
  std::vector<ScaleFactors> factors = nine_point_scale_factors();
};

// Copies of the columns a batch's variations read, so the worker owns its input.
struct Columns {
  int externals = 0;
  std::vector<int32_t> pdg, qcd_order;
  std::vector<double> x1, x2, mu_f, mu_r, alpha_s;
};

template <typename Array, typename Value>
std::vector<Value> column(Fields& record, const char* name, size_t expected) {
  Napi::Value v = record.value(name);
  if (!v.IsTypedArray()) throw Napi::TypeError::New(v.Env(), std::string("record.") + name + " must be a typed array");
  Array array = v.As<Array>();
  if (array.ElementLength() != expected)
    throw Napi::RangeError::New(v.Env(), std::string("record.") + name + " has " + std::to_string(array.ElementLength()) +
                                             " values, expected " + std::to_string(expected));
  return std::vector<Value>(array.Data(), array.Data() + array.ElementLength());
}

class ScaleVariationsBinding : public Napi::ObjectWrap<ScaleVariationsBinding> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "ScaleVariations",
                       {InstanceMethod("factors", &ScaleVariationsBinding::factors),
                        InstanceMethod("ratios", &ScaleVariationsBinding::ratios)});
  }

  // new ScaleVariations({pdfGrid: string ('' for none), beamPdf: [b1, b2], nloop})
  explicit ScaleVariationsBinding(const Napi::CallbackInfo& args) : Napi::ObjectWrap<ScaleVariationsBinding>(args) {
    Napi::Env env = args.Env();
    Fields options(args[0], "ScaleVariations options");
    const std::string grid = options.string("pdfGrid");
    Napi::Value beams = options.value("beamPdf");
    const int64_t nloop = options.integer("nloop");
    options.done();
    if (!beams.IsArray() || beams.As<Napi::Array>().Length() != 2)
      throw Napi::TypeError::New(env, "ScaleVariations options beamPdf must be an array of two of -1, 0, 1");
    state_ = std::make_shared<Setup>();
    for (uint32_t b = 0; b < 2; ++b) {
      Napi::Value v = beams.As<Napi::Array>().Get(b);
      const int sign = v.IsNumber() ? v.As<Napi::Number>().Int32Value() : 2;
      if (sign < -1 || sign > 1) throw Napi::TypeError::New(env, "ScaleVariations options beamPdf must be an array of two of -1, 0, 1");
      state_->setup.beam_pdf[b] = sign;
    }
    if (nloop != 1 && nloop != 2) throw Napi::RangeError::New(env, "ScaleVariations options nloop must be 1 or 2");
    state_->setup.nloop = int(nloop);
    const bool needs_pdf = state_->setup.beam_pdf[0] || state_->setup.beam_pdf[1];
    if (needs_pdf != !grid.empty())
      throw Napi::TypeError::New(env, "ScaleVariations options pdfGrid is needed exactly when a beam has a PDF");
    if (needs_pdf) {
      try {
        state_->pdf = LHGridPdf::load(grid);
      } catch (const std::exception& e) {
        throw to_js_error(env, UserError(e.what()));
      }
      state_->setup.pdf = &*state_->pdf;
    }
  }

 private:
  // [{muR, muF}, …] in the order of every event's ratios
  Napi::Value factors(const Napi::CallbackInfo& args) {
    Napi::Env env = args.Env();
    Napi::Array out = Napi::Array::New(env, state_->factors.size());
    for (size_t v = 0; v < state_->factors.size(); ++v) {
      Napi::Object f = Napi::Object::New(env);
      f.Set("muR", state_->factors[v].mu_r);
      f.Set("muF", state_->factors[v].mu_f);
      out.Set(uint32_t(v), f);
    }
    return out;
  }

  // ratios(record) → Promise<Float64Array>: w(factor v)/w of event e at e·nv + v, NaN where
  // the record does not determine it (scale_variation.h)
  Napi::Value ratios(const Napi::CallbackInfo& args) {
    Fields record(args[0], "ScaleVariations.ratios record");
    const double count_value = record.number("count");
    const int64_t externals_value = record.integer("externals");
    if (count_value < 0 || count_value != std::floor(count_value) || externals_value < 2)
      throw Napi::RangeError::New(args.Env(), "ScaleVariations.ratios record: bad count or externals");
    const size_t count = size_t(count_value);
    auto columns = std::make_shared<Columns>();
    columns->externals = int(externals_value);
    columns->pdg = column<Napi::Int32Array, int32_t>(record, "pdg", count * size_t(externals_value));
    columns->qcd_order = column<Napi::Int32Array, int32_t>(record, "qcdOrder", count);
    columns->x1 = column<Napi::Float64Array, double>(record, "x1", count);
    columns->x2 = column<Napi::Float64Array, double>(record, "x2", count);
    columns->mu_f = column<Napi::Float64Array, double>(record, "muF", count);
    columns->mu_r = column<Napi::Float64Array, double>(record, "muR", count);
    columns->alpha_s = column<Napi::Float64Array, double>(record, "alphaS", count);
    // the other columns of the record are not needed here
    std::shared_ptr<Setup> state = state_;
    return PromiseWorker<std::vector<double>>::start(
        args.Env(),
        [state, columns, count]() {
          ScaleVariationEvents events;
          events.count = int64_t(count);
          events.externals = columns->externals;
          events.pdg = columns->pdg.data();
          events.qcd_order = columns->qcd_order.data();
          events.x1 = columns->x1.data();
          events.x2 = columns->x2.data();
          events.mu_f = columns->mu_f.data();
          events.mu_r = columns->mu_r.data();
          events.alpha_s = columns->alpha_s.data();
          std::vector<double> out(count * state->factors.size());
          scale_variation_ratios(events, state->setup, state->factors, out.data());
          return out;
        },
        [](Napi::Env env, std::vector<double>& out) -> Napi::Value { return to_float64_array(env, out); });
  }

  std::shared_ptr<Setup> state_;
};

}  // namespace

void register_scale_variations(Napi::Env env, Napi::Object exports) {
  exports.Set("ScaleVariations", ScaleVariationsBinding::define(env));
}

}  // namespace madnis::addon
