#pragma once
// Command-line parsing for `orrery strun` / `orrery run` with stpipe's syntax:
//
//   strun [framework flags] <alias | class | parameter file> [inputs...]
//         [--<param>=VALUE | --<param> VALUE]... [--steps.<alias>.<param>=VALUE]...
//
// Framework flags are hyphenated (--save-parameters, --log-level); step
// parameters keep their underscores and are dotted for children. Every value
// arrives as text and is typed by the step's parameter schema when the step is
// configured; its source is the flag ("--steps.jump.rejection_threshold"), so a
// bad value is reported against the flag. Flags may come before or after the
// positionals; "--" ends the options. Unlike argparse, option names are not
// abbreviated: they must be written in full.

#include "orrery/core/param_tree.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace orrery::cli {

enum class Mode { strun, run };

/// Framework (non-parameter) options.
struct Options {
    bool help = false;
    bool debug = false;
    bool version = false;
    bool verbose = false;
    bool disable_crds_steppars = false;  // accepted, no effect (orrery never contacts CRDS)
    bool no_progress = false;
    std::optional<std::string> save_parameters;
    std::optional<std::string> log_level;
    std::optional<std::string> log_file;
    std::optional<std::string> log_stream;
    std::optional<std::string> logcfg;  // deprecated in stpipe; accepted and ignored with a warning
    std::optional<std::string> ref_dir;
    bool allow_reference_hooks = false;  // shell-command hooks from pars-* files in ref_dir
    std::optional<std::string> ledger;
    // orrery run only
    std::vector<std::string> only;
    std::vector<std::string> skip;
    std::optional<std::string> from;
    std::optional<std::string> to;
    bool dry_run = false;
    bool continue_on_error = false;
};

struct Invocation {
    Options options;
    std::vector<std::string> positionals;     // [0] = step / pipeline / parameter file; the rest are inputs
    ParamNode parameters = ParamNode::map();  // --param=value (layer 4), sources = the flags
};

/// Parse the arguments after the command name ("strun" / "run").
Invocation parse_invocation(std::span<const std::string> args, Mode mode);

}  // namespace orrery::cli
