#pragma once
// Deterministic random numbers for the exposure simulator: std::mt19937_64 as
// the bit source, with our own uniform / normal / Poisson transforms so results
// do not depend on the standard library's distribution implementations. Each
// (purpose, integration, row) gets its own stream, so results do not depend on
// how rows are spread over threads.

#include <array>
#include <cmath>
#include <cstdint>
#include <random>

namespace orrery::jwst::sim {

/// SplitMix64 finalizer: a well-mixed 64-bit hash used to derive stream seeds.
constexpr std::uint64_t mix64(std::uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// Seed of stream (purpose, a, b) under a master seed.
constexpr std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t purpose, std::uint64_t a = 0, std::uint64_t b = 0) {
    return mix64(mix64(mix64(seed ^ mix64(purpose)) ^ a) ^ (b * 0xD1B54A32D192ED03ull));
}

class SimRng {
public:
    explicit SimRng(std::uint64_t seed) : engine_(seed) {}

    /// Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    /// Uniform in (0, 1]: safe for log().
    double uniform_pos() { return (static_cast<double>(engine_() >> 11) + 1.0) * 0x1.0p-53; }
    /// Integer in [0, n).
    std::uint64_t below(std::uint64_t n) { return n ? static_cast<std::uint64_t>(uniform() * static_cast<double>(n)) : 0; }

    /// Standard normal (Marsaglia polar method, second value cached).
    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u, v, s;
        do {
            u = 2.0 * uniform() - 1.0;
            v = 2.0 * uniform() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        const double f = std::sqrt(-2.0 * std::log(s) / s);
        spare_ = v * f;
        has_spare_ = true;
        return u * f;
    }

    /// Poisson deviate (see PoissonSampler; build one sampler per mean when drawing often).
    std::int64_t poisson(double mu);

    /// log(k!) without std::lgamma (which writes the global signgam: not thread-safe).
    static double log_factorial(double k) {
        static constexpr std::array<double, 10> table{0.0, 0.0, 0.69314718055994531, 1.791759469228055, 3.1780538303479458,
                                                      4.7874917427820458, 6.5792512120101012, 8.5251613610654147,
                                                      10.604602902745251, 12.801827480081469};
        if (k < 10.0) return table[static_cast<std::size_t>(k)];
        const double x = k + 1.0;  // Stirling series for lgamma(x)
        const double x2 = x * x;
        return (x - 0.5) * std::log(x) - x + 0.91893853320467274 + 1.0 / (12.0 * x) - 1.0 / (360.0 * x * x2) +
               1.0 / (1260.0 * x2 * x2 * x);
    }

private:
    std::mt19937_64 engine_;
    double spare_ = 0.0;
    bool has_spare_ = false;
};

/// Poisson deviates of one mean: sequential inversion for means below 30 (cheaper
/// than rejection there), Hörmann's PTRS (transformed rejection with squeeze) above.
/// Constants are computed once per mean.
class PoissonSampler {
public:
    explicit PoissonSampler(double mu) : mu_(mu > 0.0 ? mu : 0.0) {
        if (mu_ < inversion_limit) {
            exp_neg_mu_ = std::exp(-mu_);
            return;
        }
        const double slam = std::sqrt(mu_);
        loglam_ = std::log(mu_);
        b_ = 0.931 + 2.53 * slam;
        a_ = -0.059 + 0.02483 * b_;
        log_invalpha_ = std::log(1.1239 + 1.1328 / (b_ - 3.4));
        vr_ = 0.9277 - 3.6224 / (b_ - 2.0);
    }

    std::int64_t operator()(SimRng& rng) const {
        if (mu_ == 0.0) return 0;
        if (mu_ < inversion_limit) {
            double p = exp_neg_mu_, cdf = exp_neg_mu_;
            const double u = rng.uniform();
            std::size_t k = 0;
            while (u > cdf && k + 1 < reciprocal.size()) {  // p_k = p_{k-1} * mu / k
                ++k;
                p *= mu_ * reciprocal[k];
                cdf += p;
            }
            return static_cast<std::int64_t>(k);
        }
        for (;;) {
            const double u = rng.uniform() - 0.5;
            const double v = rng.uniform_pos();
            const double us = 0.5 - std::fabs(u);
            const double kd = std::floor((2.0 * a_ / us + b_) * u + mu_ + 0.43);
            if (us >= 0.07 && v <= vr_) return static_cast<std::int64_t>(kd);
            if (kd < 0.0 || (us < 0.013 && v > us)) continue;
            if (std::log(v) + log_invalpha_ - std::log(a_ / (us * us) + b_) <= -mu_ + kd * loglam_ - SimRng::log_factorial(kd))
                return static_cast<std::int64_t>(kd);
        }
    }

private:
    static constexpr double inversion_limit = 30.0;  // PTRS needs mean >= 10
    // 1/k for the inversion loop (a multiply instead of a divide); 256 terms reach
    // far beyond any plausible deviate of a mean below 30.
    static constexpr std::array<double, 256> reciprocal = [] {
        std::array<double, 256> r{};
        for (std::size_t k = 1; k < r.size(); ++k) r[k] = 1.0 / static_cast<double>(k);
        return r;
    }();
    double mu_, exp_neg_mu_ = 0.0, loglam_ = 0.0, a_ = 0.0, b_ = 0.0, log_invalpha_ = 0.0, vr_ = 0.0;
};

inline std::int64_t SimRng::poisson(double mu) { return PoissonSampler(mu)(*this); }

}  // namespace orrery::jwst::sim
