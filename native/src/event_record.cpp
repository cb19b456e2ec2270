#include "event_record.h"

#include <algorithm>
#include <stdexcept>

namespace madnis {

namespace {

// Calls op(column of a, column of b, width) for every column: the pairwise form of
// for_each_column, for operations that read one record and write another.
template <typename Op>
void zip_columns(EventColumns& a, const EventColumns& b, Op&& op) {
#define MADNIS_EVENT_COLUMN_ZIP(field, type, js, per_external, per_event) \
  op(a.field, b.field, event_column_width(per_external, per_event, a.externals()));
  MADNIS_EVENT_COLUMNS(MADNIS_EVENT_COLUMN_ZIP)
#undef MADNIS_EVENT_COLUMN_ZIP
}

}  // namespace

void EventColumns::resize(int64_t events) {
  for_each_column([&](const char*, auto& column, size_t width) { column.resize(size_t(events) * width); });
  size_ = events;
}

void EventColumns::append(const EventColumns& other) {
  if (other.size_ == 0) return;
  if (size_ == 0) {
    *this = other;
    return;
  }
  if (other.externals_ != externals_)
    throw std::logic_error("EventColumns::append: records of different numbers of externals");
  zip_columns(*this, other, [](auto& mine, const auto& theirs, size_t) {
    mine.insert(mine.end(), theirs.begin(), theirs.end());
  });
  size_ += other.size_;
}

void EventColumns::keep_last(int64_t max_events) {
  if (size_ <= max_events) return;
  const size_t drop = size_t(size_ - max_events);
  for_each_column([&](const char*, auto& column, size_t width) {
    column.erase(column.begin(), column.begin() + std::ptrdiff_t(drop * width));
  });
  size_ = max_events;
}

EventColumns EventColumns::select(const std::vector<int64_t>& rows) const {
  EventColumns selected(externals_, int64_t(rows.size()));
  zip_columns(selected, *this, [&](auto& to, const auto& from, size_t width) {
    for (size_t k = 0; k < rows.size(); ++k)
      std::copy_n(from.begin() + std::ptrdiff_t(size_t(rows[k]) * width), width, to.begin() + std::ptrdiff_t(k * width));
  });
  return selected;
}

void EventColumns::point_output(madnis_eval_output& out, int64_t first) {
#define MADNIS_EVENT_COLUMN_POINT(field, type, js, per_external, per_event) \
  out.field = field.data() + size_t(first) * event_column_width(per_external, per_event, externals_);
  MADNIS_EVENT_COLUMNS(MADNIS_EVENT_COLUMN_POINT)
#undef MADNIS_EVENT_COLUMN_POINT
}

std::vector<const char*> event_column_names() {
  return {
#define MADNIS_EVENT_COLUMN_NAME(field, type, js, per_external, per_event) js,
      MADNIS_EVENT_COLUMNS(MADNIS_EVENT_COLUMN_NAME)
#undef MADNIS_EVENT_COLUMN_NAME
  };
}

}  // namespace madnis
