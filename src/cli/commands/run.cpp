// `orrery strun` and `orrery run`: resolve the step (alias, class name or
// parameter file), merge the parameters (code defaults < pars-* files in the
// reference directory < the user's parameter file < the command line), then
// for each input: load it through product_traits<In>::load, run, and save the
// outermost product (strun forces save_results on the outermost step).
//
// `run` adds step selection (--only/--skip/--from/--to), --dry-run (prints the
// plan, reads no data), --continue-on-error and a run ledger (default
// .orrery-runs/). Several inputs are independent runs of the same configured
// step, one after the other; with --continue-on-error a failing input does not
// stop the others and the run is marked degraded (exit code of the first failure).
//
// run_command reads as its phases: parse, set up the context, resolve the target,
// configure, (save parameters / dry run), attach observers, run each input (load,
// run, save, report), then report the run.

#include "arguments.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "help.hpp"
#include "ledger.hpp"
#include "logging.hpp"
#include "progress.hpp"
#include "selection.hpp"
#include "version.hpp"

#include "orrery/core/any_step.hpp"
#include "orrery/core/any_value.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/output_naming.hpp"
#include "orrery/core/pipeline_product.hpp"
#include "orrery/core/registry.hpp"
#include "orrery/core/run_step.hpp"
#include "orrery/parallel/tbb_parallel_for.hpp"
#include "orrery/stpipe/parameter_files.hpp"
#include "orrery/stpipe/reference_directory.hpp"
#include "support/malloc_policy.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace orrery::cli {


namespace {

/// Calls a function on every event (collects outputs).
class FunctionObserver final : public Observer {
public:
    explicit FunctionObserver(std::function<void(const StepEvent&)> f) : f_(std::move(f)) {}
    void on_event(const StepEvent& e) override { f_(e); }

private:
    std::function<void(const StepEvent&)> f_;
};

bool looks_like_path(const std::string& s) {
    if (s.find('/') != std::string::npos) return true;
    for (const char* ext : {".asdf", ".cfg", ".yaml", ".yml", ".ini"})
        if (s.size() > std::char_traits<char>::length(ext) && s.compare(s.size() - std::char_traits<char>::length(ext), std::string::npos, ext) == 0)
            return true;
    return false;
}

void print_usage(std::ostream& out, Mode mode, const std::string& prog) {
    if (mode == Mode::strun)
        out << "usage: " << prog << " [options] <alias | class | parameter file> <input> [more inputs]\n"
            << "       [--<param>=VALUE | --<param> VALUE]... [--steps.<alias>.<param>=VALUE]...\n\n"
            << "Run a step or pipeline (stpipe strun semantics). '" << prog << " <name> -h' lists its parameters.\n\n";
    else
        out << "usage: " << prog << " <pipeline | step | parameter file> <input> [more inputs] [options]\n"
            << "       [--only A,B] [--skip C] [--from A] [--to B] [--dry-run] [--continue-on-error] [--ledger DIR]\n"
            << "       [--<param>=VALUE]... [--steps.<alias>.<param>=VALUE]...\n\n"
            << "strun plus step selection, dry runs, continue-on-error and a run ledger.\n\n";
    print_framework_options(out, mode);
}

/// Resolve the first positional: an existing file is a parameter file (its
/// `class` says what to run), anything else an alias or class name.
const StepInfo& resolve_target(const std::string& target, ParamNode& user_tree) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(target, ec)) {
        user_tree = stpipe::load_parameter_file(target);
        const ParamNode* cls = user_tree.find("class");
        if (!cls || !cls->is_scalar() || cls->text().empty())
            throw ConfigError("parameter file " + target + " does not name the 'class' to run");
        if (const StepInfo* info = Registry::instance().find(cls->text())) return *info;
        throw ConfigError("parameter file " + cls->source() + ": class '" + cls->text() + "' is not a registered step or pipeline " + Registry::instance().hint_for_unknown(cls->text()));
    }
    if (const StepInfo* info = Registry::instance().find(target)) return *info;
    if (looks_like_path(target)) throw UsageError("parameter file '" + target + "' does not exist");
    return Registry::instance().get(target);  // throws UsageError with suggestions
}

/// stpipe's name for the step a parameter file runs: its `name`, else the file's stem
/// (it names the products: "<root>_<name lower-cased>").
std::string instance_name_from_file(const ParamNode& tree, const std::string& file) {
    if (const ParamNode* name = tree.find("name"); name && name->is_scalar() && !name->text().empty()) return name->text();
    return std::filesystem::path(file).stem().string();
}

/// Values of the configured tree that differ from the code defaults.
bool differs(const ParamNode* current, const ParamNode* fresh) {
    if (!current) return false;
    return !fresh || !current->same_values(*fresh);
}

/// --dry-run: the inputs, the parameter sources, and each step's run/skip and changed parameters.
void print_plan(std::ostream& out, const AnyStep& step, const ParamNode& merged, const std::vector<std::string>& inputs,
                const std::vector<std::filesystem::path>& pars_files, const std::string& user_file, const Context& ctx) {
    const StepInfo& info = step.info();
    const ParamNode current = step.parameters();
    const ParamNode fresh = info.factory()->parameters();
    out << "plan for " << info.alias << " (" << info.class_name << "), " << kind_text(info.kind) << "\n";
    if (inputs.empty()) out << "  inputs: none\n";
    for (const auto& in : inputs) out << "  input: " << in << " (not read: dry run)\n";
    const auto ref = stpipe::reference_dir(ctx);
    out << "  reference directory: " << (ref ? ref->string() : std::string("none")) << "\n";
    for (const auto& p : pars_files) out << "  parameter reference file: " << p.string() << "\n";
    if (!user_file.empty()) out << "  parameter file: " << user_file << "\n";

    auto own_changes = [&](const ParamNode& cur, const ParamNode* def, const ParamNode* sources, const std::string& indent) {
        for (const auto& [k, v] : cur.children()) {
            if (k == "steps") continue;
            const ParamNode* d = def ? def->find(k) : nullptr;
            if (!differs(&v, d)) continue;
            const ParamNode* s = sources ? sources->find(k) : nullptr;
            std::string src = s ? s->source() : std::string();
            if (src.empty()) src = (k == "save_results" || k == "skip") ? "strun: outermost step" : "set in code";
            out << indent << k << " = " << display_value(v) << "  (from " << src << ")\n";
        }
    };
    if (info.kind == StepKind::pipeline) {
        out << "  pipeline parameters:\n";
        own_changes(current, &fresh, &merged, "    ");
    }
    out << "  steps:\n";
    const auto plan = step.plan(ctx);
    const ParamNode* cur_steps = current.find("steps");
    const ParamNode* def_steps = fresh.find("steps");
    const ParamNode* merged_steps = merged.find("steps");
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const auto& e = plan[i];
        const bool top = info.kind != StepKind::pipeline;
        const ParamNode* cur = top ? &current : (cur_steps ? cur_steps->find(e.alias) : nullptr);
        const ParamNode* def = top ? &fresh : (def_steps ? def_steps->find(e.alias) : nullptr);
        const ParamNode* src = top ? &merged : (merged_steps ? merged_steps->find(e.alias) : nullptr);
        bool skip = e.skip;
        if (top) skip = false;  // the outermost step always runs
        out << "    [" << (i + 1) << "/" << plan.size() << "] " << e.alias << " (" << e.class_name << "): " << (skip ? "skip" : "run") << "\n";
        if (cur) own_changes(*cur, def, src, "          ");
        for (const auto& r : e.references) out << "          reference " << r << "\n";
    }
}

/// The output_dir of the step and of its children, created before anything runs.
void create_output_dirs(const ParamNode& params) {
    auto make = [](const ParamNode* d) {
        if (d && d->is_scalar() && !d->text().empty()) {
            std::error_code ec;
            std::filesystem::create_directories(expand_user_vars(d->text()), ec);
            if (ec) throw ConfigError("output_dir " + d->text() + ": cannot be created (" + ec.message() + ")");
        }
    };
    make(params.find("output_dir"));
    if (const auto* steps = params.find("steps"))
        for (const auto& [alias, sub] : steps->children()) make(sub.find("output_dir"));
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// ---- the phases of a run ------------------------------------------------------------

/// The logger the flags ask for, steps' row loops on oneTBB over all cores (a step's
/// maximum_cores narrows its own loops; without this every ctx.parallel_for would run
/// on the calling thread), and the reference directory, which must exist.
void prepare_context(Context& ctx, const Options& o) {
    ctx.set_logger(make_logger(o));
    ctx.set_parallel_for(tbb_parallel_for());
    ctx.set_reference_resolver(std::make_shared<stpipe::ReferenceDirectory>(
        o.ref_dir ? stpipe::ReferenceDirectory(*o.ref_dir) : stpipe::ReferenceDirectory::from_environment()));
    if (const auto dir = stpipe::reference_dir(ctx)) {
        std::error_code ec;
        if (!std::filesystem::is_directory(*dir, ec))
            throw ConfigError("reference directory " + dir->string() + (o.ref_dir ? " (--ref-dir)" : " (ORRERY_REF_DIR)") + " does not exist");
    }
}

/// The step's parameters after configuration, and the pars-* files that contributed.
struct Configuration {
    ParamNode merged;
    std::vector<std::filesystem::path> pars_files;
};

/// Parameters: defaults < pars-* in the reference directory < user file < command line,
/// then `run`'s step selection. stpipe: the outermost step runs standalone and, given an
/// input, saves its result.
Configuration configure_step(AnyStep& step, const Invocation& inv, const ParamNode& user_tree, Mode mode, bool has_inputs, Context& ctx) {
    Configuration c;
    stpipe::ParameterSources sources{stpipe::reference_dir(ctx), user_tree, inv.parameters, inv.options.allow_reference_hooks};
    c.merged = stpipe::merged_parameters(step, sources, ctx, &c.pars_files);
    for (const auto& p : c.pars_files) ctx.info("Using parameter reference file " + p.string());
    step.configure(c.merged);
    if (mode == Mode::run) {
        if (ParamNode selection = resolve_selection(step, inv.options, ctx); !selection.is_null()) {
            step.configure(selection);
            c.merged.merge(selection);
        }
    }
    const StepInfo& info = step.info();
    step.settings().skip = false;
    if (has_inputs) {
        if (info.save_output) step.settings().save_results = true;
        else ctx.warn("products of type " + pretty_type(info.output_type_name) + " cannot be saved to files: nothing will be written");
    }
    return c;
}

/// What watches the run: progress lines (off with --no-progress), the run ledger
/// (`run`, or --ledger) and the products written for the current input.
struct RunObservers {
    std::shared_ptr<ProgressObserver> progress;
    std::shared_ptr<RunLedger> ledger;
    std::shared_ptr<std::vector<std::string>> outputs = std::make_shared<std::vector<std::string>>();
};

RunObservers attach_observers(Context& ctx, const AnyStep& step, const Options& o, Mode mode, Streams io) {
    RunObservers obs;
    if (!o.no_progress) {
        obs.progress = std::make_shared<ProgressObserver>(io.err, io.err_is_terminal);
        ctx.add_observer(obs.progress);
    }
    if (mode == Mode::run || o.ledger) {
        const StepInfo& info = step.info();
        obs.ledger = std::make_shared<RunLedger>(o.ledger.value_or(".orrery-runs"), new_run_id());
        obs.ledger->set_parameters(step.parameters(), info.kind == StepKind::pipeline ? std::string() : info.alias);
        ctx.add_observer(obs.ledger);
    }
    ctx.add_observer(std::make_shared<FunctionObserver>([outputs = obs.outputs](const StepEvent& e) {
        if (e.kind != StepEvent::Kind::start) outputs->insert(outputs->end(), e.outputs.begin(), e.outputs.end());
    }));
    return obs;
}

/// The input's path: a bare file name is looked for in the step's input_dir.
std::filesystem::path input_path(const std::string& input, AnyStep& step) {
    std::filesystem::path path(input);
    const auto& input_dir = step.settings().input_dir;
    if (!input_dir.empty() && !path.has_parent_path()) path = std::filesystem::path(input_dir) / path;
    return path;
}

/// A pipeline's product is saved here (a single step saves its own when save_results is set).
void save_pipeline_product(const AnyValue& result, AnyStep& step, Context& ctx, std::vector<std::string>& outputs) {
    if (step.info().kind != StepKind::pipeline || !saves_results(step.settings())) return;
    for (const auto& p : orrery::save_pipeline_product(step, result, ctx)) {
        outputs.push_back(p.string());
        ctx.info("Saved model in " + p.string());
    }
}

/// Human-facing lines after a successful input, like the progress display (and off with it).
void report_products(const AnyValue& result, const StepInfo& info, const RunObservers& obs, const std::string& label, double seconds, Streams io) {
    if (!obs.progress) return;
    obs.progress->summary(label, seconds, true);
    if (!obs.outputs->empty()) {
        std::string list;
        for (const auto& p : *obs.outputs) list += (list.empty() ? "" : ", ") + p;
        io.err << "products: " << list << "\n";
    }
    if (info.summarize_output) io.err << "summary: " << info.summarize_output(result) << "\n";
}

/// One input through the configured step: load, run, save, report. A failure is
/// reported on stderr and recorded, not thrown. Returns 0, or the failure's exit code (never 0).
int run_input(const std::string& input, AnyStep& step, Context& ctx, const RunObservers& obs, const Options& o, const std::string& prog, Streams io) {
    const StepInfo& info = step.info();
    const std::filesystem::path path = input_path(input, step);
    ctx.set_input_filename(path.string());
    if (obs.ledger) obs.ledger->begin_input(path.string());
    obs.outputs->clear();
    const std::string label = info.alias + " on " + path.filename().string();
    const auto t0 = std::chrono::steady_clock::now();
    nlohmann::json rec = {{"record", "input"}, {"run_id", obs.ledger ? obs.ledger->run_id() : std::string()}};
    rec.update(file_entry(path.string()));
    int code = 0;
    try {
        AnyValue data = info.load_input(path);
        AnyValue result = step.run(std::move(data), ctx);
        save_pipeline_product(result, step, ctx, *obs.outputs);
        report_products(result, info, obs, label, seconds_since(t0), io);
        rec["status"] = "complete";
        rec["error"] = nullptr;
    } catch (const std::exception& e) {
        code = report_error(io.err, prog, e, o.debug);
        if (obs.progress) obs.progress->summary(label, seconds_since(t0), false, one_line(e.what()));
        rec["status"] = "failed";
        rec["error"] = one_line(e.what());
        rec["exit_code"] = code;
    }
    rec["outputs"] = nlohmann::json::array();
    for (const auto& p : *obs.outputs) rec["outputs"].push_back(file_entry(p));
    rec["duration_s"] = seconds_since(t0);
    if (obs.ledger) obs.ledger->write(rec);
    return code;
}

/// How the inputs went.
struct RunOutcome {
    int first_failure = 0;  // exit code of the first failed input, 0 if none failed
    std::size_t failed = 0, attempted = 0;
};

/// Each input in turn; the first failure stops the rest unless --continue-on-error.
RunOutcome run_inputs(const std::vector<std::string>& inputs, AnyStep& step, Context& ctx, const RunObservers& obs, const Options& o,
                      const std::string& prog, Streams io) {
    // One exposure: each reference is released after its last step (lowest memory). Several:
    // references are kept across the inputs, so each file is read once.
    if (inputs.size() > 1) ctx.set_reference_retention(ReferenceRetention::keep);
    return_large_blocks_on_free();
    RunOutcome r;
    for (const auto& input : inputs) {
        ++r.attempted;
        if (const int code = run_input(input, step, ctx, obs, o, prog, io); code != 0) {
            ++r.failed;
            if (!r.first_failure) r.first_failure = code;
        }
        if (r.failed && !o.continue_on_error) break;
    }
    return r;
}

/// The run's ledger record and closing line ("run <id>: complete; ledger ..."), or the
/// "run degraded" line without a ledger.
void report_run(const RunOutcome& r, std::size_t inputs_count, const RunObservers& obs, const Invocation& inv, const StepInfo& info,
                const std::vector<std::string>& command_line, std::chrono::system_clock::time_point wall_start,
                std::chrono::steady_clock::time_point run_start, const std::string& prog, Streams io) {
    const std::string status = r.failed == 0 ? "complete" : (inv.options.continue_on_error && r.failed < inputs_count) ? "degraded" : "failed";
    if (obs.ledger) {
        std::error_code ec;
        nlohmann::json run = {{"record", "run"},
                              {"run_id", obs.ledger->run_id()},
                              {"command", command_line},
                              {"target", inv.positionals.front()},
                              {"class", info.class_name},
                              {"start", iso_utc(wall_start)},
                              {"duration_s", seconds_since(run_start)},
                              {"status", status},
                              {"exit_code", r.first_failure},
                              {"inputs", inputs_count},
                              {"inputs_failed", r.failed},
                              {"inputs_not_run", inputs_count - r.attempted},
                              {"cwd", std::filesystem::current_path(ec).string()},
                              {"orrery_version", version_string}};
        obs.ledger->write(run);
        io.err << "run " << obs.ledger->run_id() << ": " << status;
        if (r.failed) io.err << " (" << r.failed << " of " << inputs_count << (inputs_count == 1 ? " input" : " inputs") << " failed)";
        io.err << "; ledger " << obs.ledger->path().string() << "\n";
    } else if (status == "degraded") {
        io.err << prog << ": run degraded: " << r.failed << " of " << inputs_count << " inputs failed\n";
    }
}

}  // namespace

int run_command(std::span<const std::string> args, Mode mode, const std::string& prog, Streams io, const std::vector<std::string>& command_line) {
    Invocation inv = parse_invocation(args, mode);
    const Options& o = inv.options;
    if (o.version) {
        print_version(io.out);
        return exit_success;
    }
    if (o.logcfg) io.err << prog << ": warning: --logcfg is deprecated and ignored; use --log-level, --log-file and --log-stream\n";
    if (inv.positionals.empty()) {
        if (o.help) {
            print_usage(io.out, mode, prog);
            return exit_success;
        }
        throw ArgumentSyntaxError("missing the step, pipeline or parameter file to run (see '" + prog + " --help')");
    }

    Context ctx;
    prepare_context(ctx, o);

    ParamNode user_tree = ParamNode::null();
    const std::string& target = inv.positionals.front();
    const StepInfo& info = resolve_target(target, user_tree);
    const std::string user_file = user_tree.is_null() ? std::string() : target;
    auto step = info.factory();
    resolve_abbreviations(inv, step->parameters());
    if (!user_file.empty()) step->set_name(instance_name_from_file(user_tree, user_file));
    if (o.help) {
        print_step_help(io.out, *step, ctx, mode, prog);
        return exit_success;
    }

    const std::vector<std::string> inputs(inv.positionals.begin() + 1, inv.positionals.end());
    const Configuration cfg = configure_step(*step, inv, user_tree, mode, !inputs.empty(), ctx);
    if (o.save_parameters) {
        stpipe::write_asdf_file(stpipe::export_config(*step, ctx), *o.save_parameters);
        ctx.info("Step/Pipeline parameters saved to '" + *o.save_parameters + "'");
    }
    if (o.dry_run) {
        print_plan(io.out, *step, cfg.merged, inputs, cfg.pars_files, user_file, ctx);
        return exit_success;
    }
    if (inputs.empty()) {
        if (o.save_parameters) return exit_success;
        throw UsageError("no input file given (usage: " + prog + " " + target + " <input> [--param=value ...])");
    }
    if (!info.load_input)
        throw ConfigError("'" + info.alias + "' takes " + pretty_type(info.input_type_name) +
                          ", which cannot be read from a file (no product_traits<...>::load for it)");
    create_output_dirs(step->parameters());

    const RunObservers obs = attach_observers(ctx, *step, o, mode, io);
    const auto run_start = std::chrono::steady_clock::now();
    const auto wall_start = std::chrono::system_clock::now();
    const RunOutcome outcome = run_inputs(inputs, *step, ctx, obs, o, prog, io);
    report_run(outcome, inputs.size(), obs, inv, info, command_line, wall_start, run_start, prog, io);
    return outcome.first_failure;
}

}  // namespace orrery::cli
