#pragma once
/// Registering a step as a stage. In the step's own header, at global scope:
///
///   ORRERY_REGISTER_STAGE(mylib::Tokenize)
///
/// registers the step in the step Registry (it is ORRERY_REGISTER_STEP, so do
/// not write both) and its StageMetadata, with this file:line as origin, in the
/// StageRegistry: one registration per program however many translation units
/// include the header (an explicit specialisation of an inline variable). A stage
/// type needs a description. Problems found while registering (a collision with
/// another stage type) cannot be thrown before main: they are kept and surface
/// when the name is looked up (see stage_registry.hpp).
///
/// Programs that register explicitly call orrery::register_stage<S>("origin"),
/// which throws ConfigError instead.

#include "orrery/core/any_step.hpp"
#include "orrery/core/output_naming.hpp"
#include "orrery/core/register.hpp"
#include "orrery/core/registry.hpp"
#include "orrery/core/step_traits.hpp"
#include "orrery/graph/stage_metadata.hpp"
#include "orrery/graph/stage_registry.hpp"

#include <string>
#include <utility>

namespace orrery {

template <class T>
inline const bool registered_stage = false;

namespace detail {
template <class S>
void require_stage_description() {
    static_assert(!step_traits<S>::description.empty(),
                  "orrery: a registered stage needs a `static constexpr std::string_view description`");
}

// Unconstrained so that a broken step yields only check_step's message, not a cascade.
// record() keeps a refused registration as a problem: a throw here would end the
// program before main.
template <class S>
bool register_stage_at_startup(const char* file, int line) {
    if constexpr (Step<S>) {
        require_stage_description<S>();
        return StageRegistry::instance().record(make_stage_metadata<S>(std::string(file) + ":" + std::to_string(line)));
    } else {
        return false;
    }
}
}  // namespace detail

/// Register S as a step and as a stage; ConfigError (naming `origin`) when the stage registration is refused.
template <Step S>
void register_stage(std::string origin) {
    detail::require_stage_description<S>();
    StageRegistry::instance().add(make_stage_metadata<S>(origin));  // first: a refused stage leaves no step behind
    Registry::instance().add(make_step_info<S>(std::move(origin)));
    add_step_suffixes(step_traits<S>::name, step_traits<S>::class_name);
}

}  // namespace orrery

#define ORRERY_REGISTER_STAGE(...)   \
    ORRERY_REGISTER_STEP(__VA_ARGS__) \
    template <>                       \
    inline const bool ::orrery::registered_stage<__VA_ARGS__> = ::orrery::detail::register_stage_at_startup<__VA_ARGS__>(__FILE__, __LINE__);
