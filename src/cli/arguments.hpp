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
// positionals; "--" ends the options. As argparse (allow_abbrev), an option may be
// shortened to a unique prefix of a flag or parameter path: flags are matched while
// parsing, parameter paths by resolve_abbreviations once the step is known.
// Values are read as configobj reads them (quotes removed, unquoted commas make lists).

#include "orrery/core/errors.hpp"
#include "orrery/core/param_tree.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace orrery::cli {

enum class Mode { strun, run };

/// The command line itself is malformed (what argparse rejects before any step is
/// built: a bad or ambiguous option, a missing value or positional).
class ArgumentSyntaxError : public UsageError {
public:
    using UsageError::UsageError;
};

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

/// A framework flag given by a prefix ("--verb"): checked against the step's parameters later.
struct AbbreviatedFlag {
    std::string typed;  // "verb"
    std::string flag;   // "verbose"
};

struct Invocation {
    Options options;
    std::vector<AbbreviatedFlag> abbreviated_flags;
    std::vector<std::string> positionals;     // [0] = step / pipeline / parameter file; the rest are inputs
    ParamNode parameters = ParamNode::map();  // --param=value (layer 4), sources = the flags
};

/// Parse the arguments after the command name ("strun" / "run").
Invocation parse_invocation(std::span<const std::string> args, Mode mode);

/// argparse's prefix matching against the step's option paths (`parameters`: its
/// parameter tree, children under "steps"): a parameter option that is no path
/// exactly but the prefix of one is renamed to it; the prefix of several (or of a
/// path and a flag) is a UsageError naming the candidates. Unknown names stay, for
/// configuration to report with suggestions.
void resolve_abbreviations(Invocation& inv, const ParamNode& parameters);

}  // namespace orrery::cli
