// The event record: what a process returns about each point besides its weight, for the
// LHE file (process.h, madnis_eval_output). Defined once, here, as columns: one vector per
// field, each holding `width` values per event (row-major), the width fixed by the number
// of external particles. The addon converts it to one JavaScript typed array per column
// (src/native/event_record.ts), and the version below is checked on both sides.
//
// Adding a field: one line in MADNIS_EVENT_COLUMNS (the ABI field of the same name must
// exist), then kEventRecordVersion + 1 and the same column in event_record.ts.
#pragma once

#include <madnis/process.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace madnis {

// Raised whenever a column is added, removed or changes its type, width or name.
constexpr int kEventRecordVersion = 1;

// X(field, C type, JavaScript name, values per external, values per event besides): the
// field is also the name of the madnis_eval_output member the process fills.
//   momenta           (E, px, py, pz) per external, GeV, laboratory frame
//   pdg, helicity     per external (helicity 9: none)
//   colour            colour, anticolour per external (0: none)
//   resonances        MADNIS_MAX_RESONANCES slots of (PDG id, bit mask of the externals it
//                     decays into), PDG 0 after the last
//   resonance_colour  colour, anticolour per resonance slot
//   qcd_order         power of α_s in the weight (−1: unknown)
//   x1, x2            momentum fractions of the beams (1 for leptons)
//   mu_f, mu_r        factorisation and renormalisation scales, GeV
//   alpha_s, alpha_qed
//   pdf_factor        f1(x1, μ_F)·f2(x2, μ_F) of the weight (MG5's <totfact>)
#define MADNIS_EVENT_COLUMNS(X)                                             \
  X(momenta, double, "momenta", 4, 0)                                       \
  X(pdg, int32_t, "pdg", 1, 0)                                              \
  X(helicity, int32_t, "helicity", 1, 0)                                    \
  X(colour, int32_t, "colour", 2, 0)                                        \
  X(resonances, int32_t, "resonances", 0, 2 * MADNIS_MAX_RESONANCES)        \
  X(resonance_colour, int32_t, "resonanceColour", 0, 2 * MADNIS_MAX_RESONANCES) \
  X(qcd_order, int32_t, "qcdOrder", 0, 1)                                   \
  X(x1, double, "x1", 0, 1)                                                 \
  X(x2, double, "x2", 0, 1)                                                 \
  X(mu_f, double, "muF", 0, 1)                                              \
  X(mu_r, double, "muR", 0, 1)                                              \
  X(alpha_s, double, "alphaS", 0, 1)                                        \
  X(alpha_qed, double, "alphaQED", 0, 1)                                    \
  X(pdf_factor, double, "pdfFactor", 0, 1)

// Values per event of a column with `per_external` values per external and `per_event` besides.
constexpr size_t event_column_width(int per_external, int per_event, int externals) {
  return size_t(per_external) * size_t(externals) + size_t(per_event);
}

class EventColumns {
 public:
#define MADNIS_EVENT_COLUMN_MEMBER(field, type, js, per_external, per_event) std::vector<type> field;
  MADNIS_EVENT_COLUMNS(MADNIS_EVENT_COLUMN_MEMBER)
#undef MADNIS_EVENT_COLUMN_MEMBER

  EventColumns() = default;
  explicit EventColumns(int externals, int64_t events = 0) : externals_(externals) { resize(events); }

  int externals() const { return externals_; }
  int64_t size() const { return size_; }

  // Calls visit(js_name, column, width) for every column, in the table's order.
  template <typename Visit>
  void for_each_column(Visit&& visit) {
#define MADNIS_EVENT_COLUMN_VISIT(field, type, js, per_external, per_event) \
  visit(js, field, event_column_width(per_external, per_event, externals_));
    MADNIS_EVENT_COLUMNS(MADNIS_EVENT_COLUMN_VISIT)
#undef MADNIS_EVENT_COLUMN_VISIT
  }
  template <typename Visit>
  void for_each_column(Visit&& visit) const {
    const_cast<EventColumns*>(this)->for_each_column(
        [&](const char* name, const auto& column, size_t width) { visit(name, column, width); });
  }

  // Every column to `events` rows (new rows are zero).
  void resize(int64_t events);
  // The other record's events after these (both for the same number of externals).
  void append(const EventColumns& other);
  // Keeps the last `max_events` events (the newest), dropping the oldest.
  void keep_last(int64_t max_events);
  // The events at `rows`, in that order.
  EventColumns select(const std::vector<int64_t>& rows) const;

  // Points every record member of `out` at the rows from `first` on, for a process to fill.
  void point_output(madnis_eval_output& out, int64_t first);

 private:
  int externals_ = 0;
  int64_t size_ = 0;
};

// The JavaScript names of the columns, in the table's order.
std::vector<const char*> event_column_names();

}  // namespace madnis
