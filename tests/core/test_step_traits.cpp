// Compile-time type tests: what the framework reads from step types and chains.
#include "orrery/orrery.hpp"

#include <catch2/catch.hpp>

namespace types {
struct A {};
struct B {};
struct ToB {
    static constexpr std::string_view name = "to_b";
    using Params = orrery::NoParams;
    static B process(const A&, const Params&, orrery::Context&) { return {}; }
};
struct KeepB {
    static constexpr std::string_view name = "keep_b";
    static constexpr std::string_view class_name = "types.KeepB";
    static constexpr std::string_view status_key = "keep";
    static constexpr bool default_skip = true;
    static constexpr std::array<std::string_view, 2> reference_types{"x", "y"};
    using Params = orrery::NoParams;
    static B process(B b, const Params&, orrery::Context&) { return b; }
};
struct RowB {
    static constexpr std::string_view name = "row_b";
    using Params = orrery::NoParams;
    struct RowState {};
    static RowState prepare(B&, const Params&, orrery::Context&) { return {}; }
    static void process_rows(B&, const RowState&, const Params&, std::size_t, std::size_t) {}
};
// process AND the row functions: two implementations to keep equal, refused.
struct RowAndProcess {
    static constexpr std::string_view name = "row_and_process";
    using Params = orrery::NoParams;
    struct RowState {};
    static B process(B b, const Params&, orrery::Context&) { return b; }
    static RowState prepare(B&, const Params&, orrery::Context&) { return {}; }
    static void process_rows(B&, const RowState&, const Params&, std::size_t, std::size_t) {}
};
struct NotAStep {
    static constexpr std::string_view name = "nope";
};
struct VoidOut {
    static constexpr std::string_view name = "void_out";
    using Params = orrery::NoParams;
    static void process(A, const Params&, orrery::Context&) {}
};
}  // namespace types

template <>
struct orrery::product_traits<types::B> {
    static constexpr bool saveable = false;
    static std::size_t rows(const types::B&) { return 1; }
    static void record_status(types::B&, std::string_view, StepStatus) {}
    static void record_reference(types::B&, std::string_view, std::string_view) {}
    static std::string filename(const types::B&) { return {}; }
};

using namespace types;

// In and Out come from process(); const& inputs decay to the value type.
static_assert(orrery::Step<ToB>);
static_assert(std::is_same_v<orrery::step_input_t<ToB>, A>);
static_assert(std::is_same_v<orrery::step_output_t<ToB>, B>);
static_assert(!orrery::step_traits<ToB>::skippable);
static_assert(orrery::step_traits<KeepB>::skippable);

// Optional traits and their defaults.
static_assert(orrery::step_traits<ToB>::class_name == "to_b");
static_assert(orrery::step_traits<KeepB>::class_name == "types.KeepB");
static_assert(orrery::step_traits<ToB>::status_key.empty());
static_assert(orrery::step_traits<KeepB>::status_key == "keep");
static_assert(orrery::step_traits<KeepB>::default_skip && !orrery::step_traits<ToB>::default_skip);

// What is and is not a step.
static_assert(!orrery::Step<NotAStep>);
static_assert(!orrery::Step<int>);
static_assert(orrery::Step<VoidOut>);  // the concept admits it; check_step rejects void outputs

// Row steps: the row functions instead of process; the framework derives process (T -> T).
static_assert(orrery::Step<RowB> && orrery::step_traits<RowB>::row_step);
static_assert(std::is_same_v<orrery::step_input_t<RowB>, B> && std::is_same_v<orrery::step_output_t<RowB>, B>);
static_assert(!orrery::Step<RowAndProcess>);
static_assert(orrery::RowStep<RowB>);
static_assert(!orrery::RowStep<KeepB>);
static_assert(!orrery::RowStep<ToB>);

// Chains: input of the first, output of the last, links checked.
using Good = decltype(orrery::chain(ToB{}, KeepB{}, RowB{}));
static_assert(std::is_same_v<Good::input, A> && std::is_same_v<Good::output, B>);
static_assert(Good::valid && Good::step_count == 3);
static_assert(orrery::pipeline_link<ToB, KeepB, B, B>::ok);

TEST_CASE("registry type identity matches the step traits") {
    const auto info = orrery::make_step_info<KeepB>();
    CHECK(info.input_type == std::type_index(typeid(B)));
    CHECK(info.output_type == std::type_index(typeid(B)));
    CHECK(info.input_type_name == "types::B");
    CHECK(info.reference_types == std::vector<std::string>{"x", "y"});
    CHECK(info.default_skip);
    CHECK(orrery::make_step_info<ToB>().input_type_name == "types::A");
}
