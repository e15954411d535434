#pragma once
// The compile-time type rule between consecutive pipeline elements. A mismatch
// instantiates pipeline_link<From, To, FromOutput, ToInput> and fails ONE
// static_assert; the compiler's "in instantiation of" line names both steps and
// both types. The chain is not instantiated further, so no error cascade follows.

#include <type_traits>

namespace orrery {

template <class From, class To, class FromOutput, class ToInput>
struct pipeline_link {
    static constexpr bool ok = std::is_convertible_v<FromOutput&&, ToInput>;
    static_assert(ok,
                  "orrery: pipeline type mismatch: the output type of step From is not accepted as the input of the next step To "
                  "(see pipeline_link<From, To, FromOutput, ToInput> in the instantiation above)");
};

}  // namespace orrery
