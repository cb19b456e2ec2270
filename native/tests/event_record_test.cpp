// The event record's columns (native/src/event_record.h): widths from the number of
// externals, and append / keep_last / select moving whole events in every column.
#include <string>
#include <type_traits>

#include "../src/event_record.h"
#include "check.h"

using namespace madnis;

namespace {

// Every value of event e in every column is e·1000 + its position in the event's row.
EventColumns numbered(int externals, int64_t events, int64_t first_id = 0) {
  EventColumns r(externals, events);
  r.for_each_column([&](const char*, auto& column, size_t width) {
    for (int64_t e = 0; e < events; ++e)
      for (size_t j = 0; j < width; ++j) column[size_t(e) * width + j] =
            typename std::decay_t<decltype(column)>::value_type((first_id + e) * 1000 + int64_t(j));
  });
  return r;
}

// Event `row` of r holds the values of event `id` of numbered().
bool holds(const EventColumns& r, int64_t row, int64_t id) {
  bool ok = true;
  r.for_each_column([&](const char*, const auto& column, size_t width) {
    for (size_t j = 0; j < width; ++j) ok = ok && column[size_t(row) * width + j] == id * 1000 + int64_t(j);
  });
  return ok;
}

}  // namespace

TEST(event_record_widths_follow_the_externals) {
  const EventColumns r(4, 3);
  CHECK(r.size() == 3 && r.externals() == 4);
  CHECK(r.momenta.size() == 3 * 16 && r.pdg.size() == 3 * 4 && r.helicity.size() == 3 * 4 && r.colour.size() == 3 * 8);
  CHECK(r.resonances.size() == 3 * 2 * MADNIS_MAX_RESONANCES && r.resonance_colour.size() == 3 * 2 * MADNIS_MAX_RESONANCES);
  CHECK(r.qcd_order.size() == 3 && r.x1.size() == 3 && r.pdf_factor.size() == 3 && r.alpha_qed.size() == 3);
  int columns = 0;
  r.for_each_column([&](const char*, const auto&, size_t) { ++columns; });
  CHECK(columns == 14 && event_column_names().size() == 14);
  CHECK(std::string(event_column_names()[0]) == "momenta" && std::string(event_column_names()[5]) == "resonanceColour");
}

TEST(event_record_append_keep_last_and_select_move_whole_events) {
  EventColumns r = numbered(3, 4);
  r.append(numbered(3, 2, 4));
  CHECK(r.size() == 6);
  for (int64_t e = 0; e < 6; ++e) CHECK(holds(r, e, e));
  r.keep_last(10);
  CHECK(r.size() == 6);
  r.keep_last(3);
  CHECK(r.size() == 3 && r.momenta.size() == 3 * 12);
  for (int64_t e = 0; e < 3; ++e) CHECK(holds(r, e, 3 + e));
  const EventColumns s = r.select({2, 0, 2});
  CHECK(s.size() == 3 && s.externals() == 3);
  CHECK(holds(s, 0, 5) && holds(s, 1, 3) && holds(s, 2, 5));
  // appending to an empty record takes the other's shape
  EventColumns empty;
  empty.append(s);
  CHECK(empty.externals() == 3 && empty.size() == 3 && holds(empty, 1, 3));
}

TEST(event_record_points_the_process_output_at_a_row) {
  EventColumns r(5, 10);
  madnis_eval_output out{};
  r.point_output(out, 4);
  CHECK(out.momenta == r.momenta.data() + 4 * 20 && out.pdg == r.pdg.data() + 4 * 5 && out.colour == r.colour.data() + 4 * 10);
  CHECK(out.resonances == r.resonances.data() + 4 * 2 * MADNIS_MAX_RESONANCES);
  CHECK(out.qcd_order == r.qcd_order.data() + 4 && out.mu_r == r.mu_r.data() + 4 && out.pdf_factor == r.pdf_factor.data() + 4);
  CHECK(out.weight == nullptr && out.channel_weights == nullptr);
}
