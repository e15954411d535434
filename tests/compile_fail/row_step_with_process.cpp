// A row step that also writes process (two implementations to keep equal) is rejected.
// EXPECT: a row step defines prepare / process_rows \(/ finish\) and no `process`
// EXPECT: check_step\(\) \[with S = RowAndProcess\]|check_step<RowAndProcess>
#include "orrery/orrery.hpp"

#include <vector>

struct Rows {
    std::vector<int> v;
};
template <>
struct orrery::product_traits<Rows> {
    static std::size_t rows(const Rows& r) { return r.v.size(); }
};

struct RowAndProcess {
    static constexpr std::string_view name = "row_and_process";
    using Params = orrery::NoParams;
    struct RowState {};
    static RowState prepare(Rows&, const Params&, orrery::Context&) { return {}; }
    static void process_rows(Rows&, const RowState&, const Params&, std::size_t, std::size_t) {}
    static Rows process(Rows r, const Params&, orrery::Context&) { return r; }
};
ORRERY_REGISTER_STEP(RowAndProcess)

int main() {}
