#pragma once
// What a step author includes to define a step (in the spirit of a light "base"
// header): the Step concept and its traits, reflected parameters (ORRERY_PARAMS),
// the Context a step runs with, and the error types. It does not pull in the
// registry, the pipelines or any parameter-file or I/O code. To register the step,
// include "orrery/core/register.hpp" where ORRERY_REGISTER_STEP is used; to compose
// pipelines, "orrery/orrery.hpp".

#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/params.hpp"
#include "orrery/core/step_traits.hpp"
