#pragma once
/// The type-erased shapes of a stage type, made from the step type when it is
/// registered as a stage: what it takes (one value, or named fields), what value
/// it produces (a StageResult<T> unwrapped to T), and how to fan it out over a
/// std::vector of its input. Dynamic graphs check edges and run stages with it.

#include "orrery/core/any_value.hpp"
#include "orrery/core/stage_result.hpp"
#include "orrery/core/step_traits.hpp"
#include "orrery/graph/named_inputs.hpp"

#include <functional>
#include <string>
#include <typeindex>
#include <vector>

namespace orrery {

/// A step's output split into the graph's three outcomes.
struct UnwrappedOutput {
    enum class Kind { value, failure, skipped } kind = Kind::value;
    AnyValue value;
    StageFailure failure;
    std::string skip_reason;
};

struct StageIO {
    std::type_index input_type = typeid(void);  // the step's input (a NamedInputs struct for several inputs)
    std::string input_type_name;
    std::vector<NamedField> input_fields;       // non-empty: the input is a NamedInputs struct
    std::type_index value_type = typeid(void);  // what consumers receive (StageResult<T> -> T)
    std::string value_type_name;
    std::type_index fan_out_range_type = typeid(void);  // std::vector<input>
    std::string fan_out_range_type_name;
    std::type_index fan_out_value_type = typeid(void);  // std::vector<value>: what a fan-out gives
    std::string fan_out_value_type_name;

    /// The step's input from its inputs' values (one value, or one per field in order).
    std::function<AnyValue(std::span<const StageValue>, bool may_move)> make_input;
    /// Split the step's output (AnyValue of step_output_t) into value / failure / skip.
    std::function<UnwrappedOutput(AnyValue&&)> unwrap;
    /// Fan-out: the elements of a std::vector<input>; gather outputs into std::vector<value>.
    std::function<std::vector<StageValue>(const StageValue&, bool may_move)> split;
    std::function<StageValue(std::vector<StageValue>&&)> gather;
};

template <Step S>
StageIO make_stage_io() {
    using In = step_input_t<S>;
    using Out = step_output_t<S>;
    using Value = stage_value_t<Out>;
    StageIO io;
    io.input_type = typeid(In);
    io.input_type_name = type_name<In>();
    io.value_type = typeid(Value);
    io.value_type_name = type_name<Value>();
    io.fan_out_range_type = typeid(std::vector<In>);
    io.fan_out_range_type_name = type_name<std::vector<In>>();
    io.fan_out_value_type = typeid(std::vector<Value>);
    io.fan_out_value_type_name = type_name<std::vector<Value>>();
    if constexpr (NamedInputs<In>) {
        io.input_fields = named_fields<In>();
        io.make_input = [](std::span<const StageValue> values, bool may_move) { return AnyValue(assemble_named_inputs<In>(values, may_move)); };
    } else {
        io.make_input = [](std::span<const StageValue> values, bool may_move) {
            return AnyValue(take_stage_value<In>(values.empty() ? StageValue{} : values[0], may_move, S::name));
        };
    }
    io.unwrap = [](AnyValue&& out) {
        UnwrappedOutput u;
        if constexpr (is_stage_result_v<Out>) {
            Out r = out.take<Out>();
            if (r.ok()) u.value = AnyValue(std::move(r.value()));
            else if (r.failed()) {
                u.kind = UnwrappedOutput::Kind::failure;
                u.failure = r.failure();
            } else {
                u.kind = UnwrappedOutput::Kind::skipped;
                u.skip_reason = r.skip_reason();
            }
        } else {
            u.value = std::move(out);
        }
        return u;
    };
    io.split = [](const StageValue& range, bool may_move) {
        auto elements = take_stage_value<std::vector<In>>(range, may_move, S::name);
        std::vector<StageValue> out;
        out.reserve(elements.size());
        for (auto& e : elements) out.push_back(std::make_shared<AnyValue>(std::move(e)));
        return out;
    };
    io.gather = [](std::vector<StageValue>&& outputs) {
        std::vector<Value> values;
        values.reserve(outputs.size());
        for (auto& o : outputs) values.push_back(take_stage_value<Value>(o, o.use_count() == 1, S::name));
        return std::make_shared<AnyValue>(std::move(values));
    };
    return io;
}

}  // namespace orrery
