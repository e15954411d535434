#pragma once
// Configuring and running one step: its parameters, built-in settings and
// reference overrides (StepConfig), and the runner every pipeline uses, static
// or dynamic, so both behave the same: skip, hooks, observers, status
// recording, save_results.

#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/hooks.hpp"
#include "orrery/core/output_naming.hpp"
#include "orrery/core/param_tree.hpp"
#include "orrery/core/params.hpp"
#include "orrery/core/product.hpp"
#include "orrery/core/row_step.hpp"
#include "orrery/core/step_settings.hpp"
#include "orrery/core/step_traits.hpp"
#include "orrery/core/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace orrery {

template <Step S>
struct StepConfig {
    using step_type_tag = S;
    typename S::Params params{};
    StepSettings settings{};
    ReferenceOverrides overrides;
    ParamNode explicit_values = ParamNode::map();  // every value set by configure(), with its source

    StepConfig() {
        settings.skip = step_traits<S>::default_skip;
        settings.output_ext = std::string(product_extension<step_output_t<S>>());
    }
};

/// Keys that identify rather than configure a step in parameter files.
inline bool is_identity_key(std::string_view k) { return k == "name" || k == "class" || k == "config_file"; }

/// Apply a tree {param: value, ...} to a step config. `prefix` is how keys are
/// shown in errors ("steps.jump."). Unknown keys are errors naming key and source.
template <Step S>
void configure_step(StepConfig<S>& cfg, const ParamNode& tree, const std::string& prefix = {}) {
    using T = step_traits<S>;
    if (tree.is_null()) return;
    if (!tree.is_map())
        throw ParameterError(prefix.empty() ? std::string(T::name) : prefix.substr(0, prefix.size() - 1), tree.source(),
                             "expected a mapping of parameters");
    for (const auto& [key, value] : tree.children()) {
        const std::string shown = prefix + key;
        if (is_identity_key(key)) continue;
        if (set_param(cfg.params, key, value, shown) || set_param(cfg.settings, key, value, shown)) {
            cfg.explicit_values.set(key, value);
            continue;
        }
        if (key.rfind("override_", 0) == 0) {
            const std::string reftype = key.substr(9);
            const auto refs = T::reference_types();
            if (std::find(refs.begin(), refs.end(), reftype) != refs.end()) {
                auto v = from_node<std::optional<std::string>>(value, shown);
                if (v && !v->empty()) cfg.overrides[reftype] = *v;
                else cfg.overrides.erase(reftype);
                cfg.explicit_values.set(key, value);
                continue;
            }
        }
        if (key == "steps")
            throw ParameterError(shown, value.source(), "step '" + std::string(T::name) + "' is not a pipeline and has no child steps");
        std::vector<std::string> known;
        for (const auto& p : params_schema<typename S::Params>()) known.push_back(p.name);
        for (const auto& p : params_schema<StepSettings>()) known.push_back(p.name);
        for (const auto& r : T::reference_types()) known.push_back("override_" + std::string(r));
        throw UnknownParameterError(shown, value.source(), "unknown parameter for step '" + std::string(T::name) + "'" + did_you_mean(key, known));
    }
}

/// Every parameter's current value: own, built-in, override_<reftype>.
template <Step S>
ParamNode step_parameters(const StepConfig<S>& cfg) {
    ParamNode out = params_to_node(cfg.params);
    const ParamNode builtins = params_to_node(cfg.settings);
    for (const auto& [k, v] : builtins.children()) out.set(k, v);
    for (auto r : step_traits<S>::reference_types()) {
        auto it = cfg.overrides.find(std::string(r));
        out.set("override_" + std::string(r), it == cfg.overrides.end() ? ParamNode::null() : to_node(it->second));
    }
    return out;
}

/// stpipe's standalone suffix: the class name lower-cased ("DarkCurrentStep" -> "darkcurrentstep").
inline std::string standalone_suffix(std::string_view class_name) {
    auto dot = class_name.rfind('.');
    std::string s(dot == std::string_view::npos ? class_name : class_name.substr(dot + 1));
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Output namer for a step's products, honouring inherited output_dir/output_file.
template <class T>
OutputNamer step_output_namer(const StepSettings& s, const Context& ctx, const T& value, const std::string& alias) {
    std::string input = ctx.run_info().input_filename;
    if (s.output_use_model || input.empty()) {
        if (auto f = product_traits<T>::filename(value); !f.empty()) input = f;
    }
    std::string output_file = s.output_file.value_or(s.search_output_file ? ctx.run_info().output_file : std::string{});
    std::string output_dir = s.output_dir.value_or(ctx.run_info().output_dir);
    return make_output_namer(output_file, input, output_dir, s.output_ext, alias);
}

namespace detail {
inline std::string with_step_prefix(std::string_view alias, const char* what) {
    const std::string prefix = "step '" + std::string(alias) + "'";
    std::string msg = what;
    if (msg.rfind(prefix, 0) == 0) return msg;
    return prefix + ": " + msg;
}

/// Makes a step scope current; when it ends (however), writes the scope's final
/// state back to `keep` (if given) and restores the enclosing scope.
class ScopeGuard {
public:
    ScopeGuard(Context& ctx, StepScope scope, StepScope* keep = nullptr)
        : ctx_(ctx), keep_(keep), previous_(ctx.enter_step(std::move(scope))) {}
    ~ScopeGuard() {
        StepScope mine = ctx_.leave_step(std::move(previous_));
        if (keep_) *keep_ = std::move(mine);
    }
    ScopeGuard(const ScopeGuard&) = delete;  // returned as a prvalue only (guaranteed elision)
    ScopeGuard& operator=(const ScopeGuard&) = delete;

private:
    Context& ctx_;
    StepScope* keep_;
    StepScope previous_;
};
}  // namespace detail

/// One step's run, in phases, shared by the plain runner below and the fused
/// row-block runner (fused.hpp): begin (event), then either skipped() or
/// completed(), or failed() on an error. Owns the step's scope in the context
/// only while `enter()`ed, so fused steps can take turns.
template <Step S>
class StepRun {
public:
    using T = step_traits<S>;
    using Out = step_output_t<S>;

    StepRun(const StepConfig<S>& cfg, Context& ctx)
        : cfg_(cfg), ctx_(ctx), scope_{std::string(T::name), std::string(T::class_name), cfg.overrides, StepStatus::not_set, {}, {}} {
        event_.alias = scope_.alias;
        event_.class_name = scope_.class_name;
        event_.pipeline = ctx.run_info().pipeline_name;
        event_.index = ctx.run_info().step_index;
        event_.total = ctx.run_info().step_total;
        event_.started = std::chrono::steady_clock::now();
        event_.wall_start = std::chrono::system_clock::now();
        if (ctx.has_observers()) event_.parameters = cfg.explicit_values.to_string();
        ctx.notify(event_);
    }

    [[nodiscard]] const StepConfig<S>& config() const { return cfg_; }
    [[nodiscard]] const std::string& alias() const { return scope_.alias; }

    /// Make this step the context's current step until the guard ends.
    [[nodiscard]] detail::ScopeGuard enter() { return detail::ScopeGuard(ctx_, scope_, &scope_); }

    /// Skipped by configuration: hooks still run, status SKIPPED.
    template <class V>
    void skipped(V& value) {
        auto guard = enter();
        ctx_.info("Step " + alias() + " skipped.");
        run_hooks(cfg_.settings.pre_hooks, value, ctx_, alias(), "pre");
        record(value, StepStatus::skipped);
        run_hooks(cfg_.settings.post_hooks, value, ctx_, alias(), "post");
        finish(StepEvent::Kind::skip, StepStatus::skipped, "skip=True");
    }

    /// After process: status, post hooks, save_results, finish event.
    void completed(Out& out) {
        auto guard = enter();
        const StepStatus status = scope_.status == StepStatus::not_set ? StepStatus::complete : scope_.status;
        record(out, status);
        run_hooks(cfg_.settings.post_hooks, out, ctx_, alias(), "post");
        if (cfg_.settings.save_results && status != StepStatus::skipped) {
            if constexpr (Saveable<Out>) {
                const std::string suffix =
                    cfg_.settings.suffix.value_or(ctx_.run_info().pipeline_name.empty() ? standalone_suffix(T::class_name) : alias());
                for (const auto& p : product_traits<Out>::save(out, step_output_namer(cfg_.settings, ctx_, out, alias()), suffix)) {
                    event_.outputs.push_back(p.string());
                    ctx_.info("Saved model in " + p.string());
                }
            } else {
                throw ConfigError("step '" + alias() + "': save_results is set but " + type_name<Out>() + " cannot be saved");
            }
        }
        ctx_.info("Step " + alias() + " done");
        finish(status == StepStatus::skipped ? StepEvent::Kind::skip : StepEvent::Kind::finish, status, scope_.reason);
    }

    /// Translate an error: event, then an error of the same category naming the step.
    [[noreturn]] void failed() {
        try {
            throw;
        } catch (const Error& e) {
            finish(StepEvent::Kind::error, StepStatus::failed, e.what());
            throw Error(e.category(), detail::with_step_prefix(alias(), e.what()), e.cause());
        } catch (const std::exception& e) {
            finish(StepEvent::Kind::error, StepStatus::failed, e.what());
            throw StepError(detail::with_step_prefix(alias(), e.what()));
        }
    }

    /// In a fused run the wall time overlaps other steps: report the step's own time instead.
    void set_seconds(double s) { seconds_override_ = s; }

private:
    template <class V>
    void record(V& value, StepStatus status) {
        if constexpr (!T::status_key.empty()) product_traits<V>::record_status(value, T::status_key, status);
        for (const auto& ref : scope_.references) {
            auto eq = ref.find('=');
            product_traits<V>::record_reference(value, ref.substr(0, eq), ref.substr(eq + 1));
        }
    }
    void finish(StepEvent::Kind kind, StepStatus status, std::string message) {
        event_.kind = kind;
        event_.status = status;
        event_.message = std::move(message);
        event_.seconds = seconds_override_ >= 0 ? seconds_override_
                                                : std::chrono::duration<double>(std::chrono::steady_clock::now() - event_.started).count();
        event_.references = scope_.references;
        ctx_.notify(event_);
        ctx_.reference_uses_done(T::reference_types());
    }

    const StepConfig<S>& cfg_;
    Context& ctx_;
    StepScope scope_;
    StepEvent event_;
    double seconds_override_ = -1;
};

/// The reference types a step declares, one entry each (for Context::reference_run).
template <Step S>
void add_reference_uses(std::vector<std::string>& uses) {
    for (auto r : step_traits<S>::reference_types()) uses.emplace_back(r);
}

/// Run one configured step on its input. On its own (not inside a pipeline run) it is a
/// run of its own: with ReferenceRetention::until_last_use its references are released after it.
template <Step S>
step_output_t<S> run_step(const StepConfig<S>& cfg, step_input_t<S> input, Context& ctx) {
    using T = step_traits<S>;
    std::vector<std::string> uses;
    add_reference_uses<S>(uses);
    const auto references = ctx.reference_run(uses);
    StepRun<S> run(cfg, ctx);
    if (cfg.settings.skip) {
        if constexpr (std::is_same_v<step_input_t<S>, step_output_t<S>>) {
            run.skipped(input);
            return input;
        } else if constexpr (T::converts_when_skipped) {
            run.skipped(input);
            return S::when_skipped(std::move(input), ctx);
        } else {
            throw ConfigError("step '" + run.alias() + "' cannot be skipped: it turns " + type_name<step_input_t<S>>() + " into " +
                              type_name<step_output_t<S>>());
        }
    }
    try {
        step_output_t<S> out = [&] {
            auto guard = run.enter();
            ctx.info("Step " + run.alias() + " running with args (" + cfg.explicit_values.to_string() + ").");
            ctx.throw_if_cancelled();
            run_hooks(cfg.settings.pre_hooks, input, ctx, run.alias(), "pre");
            return step_process<S>(std::move(input), cfg.params, ctx);
        }();
        run.completed(out);
        return out;
    } catch (...) {
        run.failed();
    }
}

}  // namespace orrery
