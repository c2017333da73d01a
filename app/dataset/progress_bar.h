// SPDX-License-Identifier: MIT
#pragma once
// A terminal progress bar with rate and ETA on stderr: redrawn in place on a terminal, a plain
// line every few seconds otherwise (logs, CI).

#include <chrono>
#include <cstdint>
#include <string>

namespace img2cad::app {

/// "42s", "3m05s", "1h02m": an ETA for a progress line (dataset making, training).
std::string compactDuration(double seconds);

class ProgressBar {
public:
    /// `done` items were finished before this run (resumption): they count towards the bar but
    /// not towards the rate.
    ProgressBar(std::int64_t total, std::int64_t done, std::string unit);
    void advance(std::int64_t items = 1) { m_done += items, m_doneThisRun += items; }
    void draw();   ///< throttled; call as often as convenient
    void finish(); ///< final line

    /// "12.5/s, ETA 1m46s" text for the current state (exposed for tests).
    std::string rateAndEta() const;

private:
    void print(bool final);

    std::int64_t m_total;
    std::int64_t m_done;
    std::int64_t m_doneThisRun = 0;
    std::string m_unit;
    bool m_terminal;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_lastDraw;
};

} // namespace img2cad::app
