#pragma once
// Self-registration, Catch2-style. In a step's own header, at global scope:
//
//   ORRERY_REGISTER_STEP(mylib::Tokenize)
//   ORRERY_REGISTER_PIPELINE(mylib::HelloPipeline)
//
// Each expands to a static_assert of the step rules and an explicit
// specialisation of an inline variable whose initialiser adds the entry to
// Registry::instance(): one registration per program however many translation
// units include the header. Steps in a static library are dropped by the linker
// unless something references them: link such libraries whole
// ($<LINK_LIBRARY:WHOLE_ARCHIVE,...>) or use orrery::step_list<...>.

#include "orrery/core/any_step.hpp"
#include "orrery/core/output_naming.hpp"
#include "orrery/core/registry.hpp"
#include "orrery/core/step_traits.hpp"

#include <string>
#include <utility>

namespace orrery {

template <class T>
inline const bool registered = false;

namespace detail {
// Unconstrained so that a broken step yields only check_step's message, not a cascade.
template <class S>
bool register_step(const char* file, int line) {
    if constexpr (Step<S>) {
        Registry::instance().add(make_step_info<S>(std::string(file) + ":" + std::to_string(line)));
        add_step_suffixes(step_traits<S>::name, step_traits<S>::class_name);
        return true;
    } else {
        return false;
    }
}
template <class P>
bool register_pipeline(const char* file, int line) {
    StepInfo info = make_pipeline_info<P>(std::string(file) + ":" + std::to_string(line));
    add_step_suffixes(info.alias, info.class_name);
    Registry::instance().add(std::move(info));
    return true;
}
}  // namespace detail

/// A compile-time list of steps/pipelines: the deterministic alternative to
/// self-registration (nothing for the linker to drop).
template <class... S>
struct step_list {
    static constexpr std::size_t size = sizeof...(S);
    /// Register every entry into the process registry (idempotent).
    static void register_all() {
        (register_one<S>(), ...);
    }
    /// Is `name` (alias or class name) one of the listed steps?
    static constexpr bool contains(std::string_view name) {
        return ((name == alias_of<S>() || name == class_of<S>()) || ...);
    }

private:
    template <class X>
    static constexpr std::string_view alias_of() {
        return X::name;
    }
    template <class X>
    static constexpr std::string_view class_of() {
        if constexpr (requires { X::class_name; }) return X::class_name;
        else return X::name;
    }
    template <class X>
    static void register_one() {
        if constexpr (Step<X>) detail::register_step<X>("step_list", 0);
        else detail::register_pipeline<X>("step_list", 0);
    }
};

}  // namespace orrery

#define ORRERY_REGISTER_STEP(...)                                                                       \
    static_assert(::orrery::check_step<__VA_ARGS__>(), "orrery: ORRERY_REGISTER_STEP needs a valid step");  \
    template <>                                                                                         \
    inline const bool ::orrery::registered<__VA_ARGS__> = ::orrery::detail::register_step<__VA_ARGS__>(__FILE__, __LINE__);

#define ORRERY_REGISTER_PIPELINE(...)                                                                   \
    static_assert(::orrery::pipeline_of<__VA_ARGS__>::step_count > 0, "orrery: a pipeline needs steps");  \
    template <>                                                                                         \
    inline const bool ::orrery::registered<__VA_ARGS__> = ::orrery::detail::register_pipeline<__VA_ARGS__>(__FILE__, __LINE__);
