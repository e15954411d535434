// `orrery list [--steps-only | --pipelines-only] [glob]`: one "class (alias)"
// line per registered step or pipeline, sorted by class name; the glob
// (*, ?, [...]) is matched case-insensitively against the class or the alias.
// `orrery describe <name>`: everything known about one entry, parameters included.

#include "commands.hpp"
#include "exit_codes.hpp"
#include "help.hpp"

#include "orrery/core/any_step.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/logger.hpp"
#include "orrery/core/registry.hpp"

#include <fnmatch.h>

#include <memory>
#include <ostream>
#include <span>
#include <string>

namespace orrery::cli {

namespace {

bool glob_match(const std::string& pattern, const std::string& text) {
    return ::fnmatch(pattern.c_str(), text.c_str(), FNM_CASEFOLD) == 0;
}

}  // namespace

int list_command(std::span<const std::string> args, Streams io) {
    bool steps_only = false, pipelines_only = false;
    std::string pattern;
    for (const auto& a : args) {
        if (a == "--steps-only") steps_only = true;
        else if (a == "--pipelines-only") pipelines_only = true;
        else if (a == "-h" || a == "--help") {
            io.out << "usage: orrery list [--steps-only | --pipelines-only] [glob]\n\n"
                      "List registered steps and pipelines as 'class (alias)'; the glob is matched\n"
                      "case-insensitively against the class name or the alias.\n";
            return exit_success;
        } else if (!a.empty() && a[0] == '-') throw UsageError("list: unknown option '" + a + "'");
        else if (!pattern.empty()) throw UsageError("list: only one pattern may be given (got '" + pattern + "' and '" + a + "')");
        else pattern = a;
    }
    if (steps_only && pipelines_only) throw UsageError("list: --steps-only and --pipelines-only exclude each other");
    int shown = 0;
    for (const auto& e : Registry::instance().all()) {
        if (steps_only && e.kind != StepKind::step) continue;
        if (pipelines_only && e.kind != StepKind::pipeline) continue;
        if (!pattern.empty() && !glob_match(pattern, e.class_name) && !glob_match(pattern, e.alias)) continue;
        io.out << e.class_name;
        if (!e.alias.empty() && e.alias != e.class_name) io.out << " (" << e.alias << ")";
        io.out << "\n";
        ++shown;
    }
    if (shown == 0) io.err << "(no matching classes)\n";
    return exit_success;
}

int describe_command(std::span<const std::string> args, Streams io) {
    if (args.empty() || args[0] == "-h" || args[0] == "--help") {
        if (args.empty()) throw UsageError("describe: which step or pipeline? (usage: orrery describe <alias | class>)");
        io.out << "usage: orrery describe <alias | class>\n";
        return exit_success;
    }
    if (args.size() > 1) throw UsageError("describe: one name only (got '" + args[1] + "' too)");
    const StepInfo& info = Registry::instance().get(args[0]);
    auto step = info.factory();
    Context ctx;
    ctx.set_logger(std::make_shared<NullLogger>());
    print_step_summary(io.out, info);
    io.out << "\nparameters:\n";
    print_rows(io.out, parameter_rows(*step, ctx));
    return exit_success;
}

}  // namespace orrery::cli
