// SPDX-License-Identifier: MIT
#include "progress_bar.h"

#include <cstdio>
#include <unistd.h>

namespace img2cad::app {
namespace {

using Clock = std::chrono::steady_clock;

} // namespace

std::string compactDuration(double seconds) {
    char text[32];
    const long s = long(seconds + 0.5);
    if (s >= 3600)
        std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, s / 60 % 60);
    else if (s >= 60)
        std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
    else
        std::snprintf(text, sizeof text, "%lds", s);
    return text;
}

ProgressBar::ProgressBar(std::int64_t total, std::int64_t done, std::string unit)
    : m_total(total), m_done(done), m_unit(std::move(unit)), m_terminal(isatty(STDERR_FILENO) != 0),
      m_start(Clock::now()), m_lastDraw(Clock::now()) {}

std::string ProgressBar::rateAndEta() const {
    const double elapsed = std::chrono::duration<double>(Clock::now() - m_start).count();
    if (m_doneThisRun == 0 || elapsed <= 0.0) return "rate pending";
    const double rate = double(m_doneThisRun) / elapsed;
    char text[64];
    std::snprintf(text, sizeof text, "%.1f/s, ETA %s", rate,
                  compactDuration(double(m_total - m_done) / rate).c_str());
    return text;
}

void ProgressBar::draw() {
    const auto now = Clock::now();
    const auto interval =
        m_terminal ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
    if (now - m_lastDraw < interval) return;
    m_lastDraw = now;
    print(false);
}

void ProgressBar::finish() {
    print(true);
}

void ProgressBar::print(bool final) {
    constexpr int kWidth = 30;
    const int filled = m_total > 0 ? int(kWidth * m_done / m_total) : kWidth;
    std::string bar(std::size_t(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "%s[%s] %lld/%lld %s, %s%s", m_terminal ? "\r" : "", bar.c_str(),
                 static_cast<long long>(m_done), static_cast<long long>(m_total), m_unit.c_str(),
                 rateAndEta().c_str(), (final || !m_terminal) ? "\n" : "   ");
    std::fflush(stderr);
}

} // namespace img2cad::app
