#pragma once
/// What a stage (a step run inside a graph) may return instead of a bare value: a
/// success with its value, a failure with a message and a category, or a skip
/// with a reason. Returning a failure is the polite form of throwing: the graph
/// records it without unwinding, and a retry policy can look at its category.

#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace orrery {

struct StageFailure {
    std::string message;
    std::string category = "error";  // free text a retry_on predicate can test ("network", "timeout", ...)
};

struct StageSkip {
    std::string reason;
};

template <class T>
class StageResult {
public:
    using value_type = T;

    static StageResult success(T value) { return StageResult(std::in_place_index<0>, std::move(value)); }
    static StageResult failure(std::string message, std::string category = "error") {
        return StageResult(std::in_place_index<1>, StageFailure{std::move(message), std::move(category)});
    }
    static StageResult skipped(std::string reason) { return StageResult(std::in_place_index<2>, StageSkip{std::move(reason)}); }

    [[nodiscard]] bool ok() const { return v_.index() == 0; }
    [[nodiscard]] bool failed() const { return v_.index() == 1; }
    [[nodiscard]] bool skipped() const { return v_.index() == 2; }

    [[nodiscard]] T& value() { return std::get<0>(v_); }
    [[nodiscard]] const T& value() const { return std::get<0>(v_); }
    [[nodiscard]] const StageFailure& failure() const { return std::get<1>(v_); }
    [[nodiscard]] const std::string& skip_reason() const { return std::get<2>(v_).reason; }

private:
    template <std::size_t I, class V>
    StageResult(std::in_place_index_t<I> i, V&& v) : v_(i, std::forward<V>(v)) {}
    std::variant<T, StageFailure, StageSkip> v_;
};

template <class T>
struct is_stage_result : std::false_type {};
template <class T>
struct is_stage_result<StageResult<T>> : std::true_type {};
template <class T>
inline constexpr bool is_stage_result_v = is_stage_result<T>::value;

/// The value a stage produces: T for a step returning StageResult<T>, else its output.
template <class Out>
struct stage_value {
    using type = Out;
};
template <class T>
struct stage_value<StageResult<T>> {
    using type = T;
};
template <class Out>
using stage_value_t = typename stage_value<Out>::type;

}  // namespace orrery
