#pragma once
// Parameter listings for `strun <name> -h` and `orrery describe <name>`: every
// parameter (own, built-in, override_<reftype>, and --steps.<alias>.* for a
// pipeline's children) with its type, code default and help line.

#include "arguments.hpp"
#include "orrery/core/any_step.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/params.hpp"
#include "orrery/core/registry.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace orrery::cli {

struct ParamRow {
    std::string flag;     // "--steps.jump.rejection_threshold"
    std::string type;     // "float(min=0)"
    std::string default_text;
    std::string help;
};

/// A parameter value as stpipe prints it (None, 'quoted', [a, b]).
std::string display_value(const ParamNode& v);

/// Readable type names: "std::__cxx11::basic_string<char, ...>" -> "std::string".
std::string pretty_type(std::string t);

/// "float(min=0)", "option('a', 'b')", "int or None".
std::string schema_type(const ParamSchema& s);

/// Rows from a registered schema; the default shown is the value `values` holds (the
/// instance's own default, e.g. default_skip), else the schema's.
void add_schema_rows(std::vector<ParamRow>& rows, const std::string& prefix, const StepInfo& info, const ParamNode* values);

/// Every parameter of a step or pipeline (children's from their registered
/// schema), with the values of `step` as defaults: pass an unconfigured instance.
std::vector<ParamRow> parameter_rows(const AnyStep& step, const Context& ctx);

/// The rows as aligned columns.
void print_rows(std::ostream& out, const std::vector<ParamRow>& rows);

void print_framework_options(std::ostream& out, Mode mode);

std::string kind_text(StepKind k);

/// The header of `describe` and of `strun <name> -h`.
void print_step_summary(std::ostream& out, const StepInfo& info);

/// `strun <name> -h`: usage, summary, parameters and framework options.
void print_step_help(std::ostream& out, const AnyStep& step, const Context& ctx, Mode mode, const std::string& prog);

}  // namespace orrery::cli
