// SPDX-License-Identifier: MIT
#include "cad/sketch_repair.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace img2cad::cad {
namespace {

// Arcs as polylines: for loops against each other as coarse as the compiler's nesting check
// (loopPolygon's default); within a loop finer, since two arcs of one loop that only just cross
// are what the kernel's exact check finds and a coarse polyline misses.
constexpr double kMaxChordAngle = 0.2; // radians
constexpr double kFineChordAngle = 0.05;
// Curves no longer than this are points: the compiler's default closure tolerance (mm).
constexpr double kPointTolerance = 1e-4;

/// The curve as a polyline from its start to its end (arcs subdivided finely).
std::vector<Vec2> curvePolyline(const Curve& curve) {
    std::vector<Vec2> points = loopPolygon(Loop{{curve}}, kFineChordAngle);
    points.front() = curveStart(curve); // exactly, not as recomputed from the arc's centre
    points.push_back(curveEnd(curve));
    return points;
}

struct Box {
    Vec2 lo, hi;
    bool meets(const Box& o) const {
        return lo.x <= o.hi.x && o.lo.x <= hi.x && lo.y <= o.hi.y && o.lo.y <= hi.y;
    }
};

Box boxOf(const std::vector<Vec2>& points) {
    Box box{points.front(), points.front()};
    for (Vec2 p : points) {
        box.lo = {std::min(box.lo.x, p.x), std::min(box.lo.y, p.y)};
        box.hi = {std::max(box.hi.x, p.x), std::max(box.hi.y, p.y)};
    }
    return box;
}

/// Unit tangent of a curve where it starts (`atEnd` false) or ends, in its direction of travel.
Vec2 tangentOf(const Curve& curve, bool atEnd) {
    if (const auto* arc = std::get_if<Arc>(&curve))
        if (const auto geometry = arcGeometry(*arc)) {
            const double angle = geometry->startAngle + (atEnd ? geometry->sweep : 0.0);
            const double sense = geometry->sweep > 0.0 ? 1.0 : -1.0;
            return Vec2{-std::sin(angle), std::cos(angle)} * sense;
        }
    const Vec2 chord = curveEnd(curve) - curveStart(curve);
    const double length = chord.norm();
    return length > 0.0 ? chord * (1.0 / length) : Vec2{};
}

/// True when curve `b` leaves the joint where `a` ends back along `a`: two lines that do so
/// overlap; an arc that does so nearly (within the chord angle) may cross its neighbour close to
/// the joint, where the polylines cannot see it.
bool foldsBack(const Curve& a, const Curve& b) {
    const Vec2 u = tangentOf(a, true), v = tangentOf(b, false);
    if (std::holds_alternative<Line>(a) && std::holds_alternative<Line>(b))
        return std::fabs(u.cross(v)) <= 1e-9 && u.dot(v) < 0.0;
    return u.dot(v) < -std::cos(kFineChordAngle);
}

/// Whether curves `a` and `b` (their polylines `pa`, `pb`) meet anywhere but at their shared
/// joints: `aThenB` when `a` ends where `b` starts, `bThenA` when `b` ends where `a` starts.
bool curvesMeet(const Curve& a, const Curve& b, const std::vector<Vec2>& pa,
                const std::vector<Vec2>& pb, bool aThenB, bool bThenA) {
    if ((aThenB && foldsBack(a, b)) || (bThenA && foldsBack(b, a))) return true;
    const std::size_t lastA = pa.size() - 2, lastB = pb.size() - 2; // last segment indices
    for (std::size_t s = 0; s + 1 < pa.size(); ++s)
        for (std::size_t t = 0; t + 1 < pb.size(); ++t) {
            // Segments at a joint share its point; their other meetings are folds (above).
            if ((aThenB && s == lastA && t == 0) || (bThenA && s == 0 && t == lastB)) continue;
            if (segmentsMeet(pa[s], pa[s + 1], pb[t], pb[t + 1])) return true;
        }
    return false;
}

/// The first pair of curves i < j of the loop that meet away from their joints.
std::optional<std::pair<std::size_t, std::size_t>> firstCrossing(const Loop& loop) {
    const std::size_t n = loop.curves.size();
    std::vector<std::vector<Vec2>> polylines;
    std::vector<Box> boxes;
    for (const Curve& curve : loop.curves) {
        polylines.push_back(curvePolyline(curve));
        boxes.push_back(boxOf(polylines.back()));
    }
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j)
            if (boxes[i].meets(boxes[j]) &&
                curvesMeet(loop.curves[i], loop.curves[j], polylines[i], polylines[j], j == i + 1,
                           i == 0 && j == n - 1))
                return std::pair{i, j};
    return std::nullopt;
}

/// Reconnects crossing curves i < j (not neighbours) the other way: i's start to j's start, the
/// curves between them backwards, i's end to j's end.
void twoOptMove(Loop& loop, std::size_t i, std::size_t j) {
    const std::size_t n = loop.curves.size();
    const Vec2 afterJ = curveStart(loop.curves[(j + 1) % n]);
    std::vector<Curve> curves(loop.curves.begin(), loop.curves.begin() + std::ptrdiff_t(i));
    curves.push_back(Line{curveStart(loop.curves[i]), curveStart(loop.curves[j])});
    for (std::size_t k = j - 1; k > i; --k)
        curves.push_back(reversed(loop.curves[k]));
    curves.push_back(Line{curveStart(loop.curves[i + 1]), afterJ});
    curves.insert(curves.end(), loop.curves.begin() + std::ptrdiff_t(j + 1), loop.curves.end());
    loop.curves = std::move(curves);
}

/// Neighbours i, j that meet: an arc among them becomes its chord, two lines folding back on
/// each other become one line.
void mendNeighbours(Loop& loop, std::size_t i, std::size_t j, SketchRepairs& repairs) {
    for (std::size_t k : {i, j})
        if (const auto* arc = std::get_if<Arc>(&loop.curves[k])) {
            loop.curves[k] = Line{arc->start, arc->end};
            ++repairs.flattenedArcs;
            return;
        }
    // Two lines: j follows i, or (wrapping) i = 0 follows j = n - 1.
    const bool wraps = j != i + 1;
    const std::size_t first = wraps ? j : i, second = wraps ? i : j;
    const Line merged{curveStart(loop.curves[first]), curveEnd(loop.curves[second])};
    loop.curves[first] = merged;
    loop.curves.erase(loop.curves.begin() + std::ptrdiff_t(second));
    ++repairs.mergedFolds;
}

/// The convex hull of the loop's polylines as a loop of lines (empty when it has no area).
Loop convexHull(const Loop& loop) {
    std::vector<Vec2> points;
    for (const Curve& curve : loop.curves)
        for (Vec2 p : curvePolyline(curve))
            points.push_back(p);
    std::sort(points.begin(), points.end(),
              [](Vec2 a, Vec2 b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
    points.erase(std::unique(points.begin(), points.end()), points.end());
    if (points.size() < 3) return {};
    // Andrew's monotone chain, counter-clockwise, collinear points dropped.
    std::vector<Vec2> hull(2 * points.size());
    std::size_t k = 0;
    const auto turn = [&](Vec2 p) { return (hull[k - 1] - hull[k - 2]).cross(p - hull[k - 2]); };
    for (Vec2 p : points) {
        while (k >= 2 && turn(p) <= 0.0)
            --k;
        hull[k++] = p;
    }
    for (std::size_t i = points.size() - 1, lower = k + 1; i-- > 0;) {
        while (k >= lower && turn(points[i]) <= 0.0)
            --k;
        hull[k++] = points[i];
    }
    hull.resize(k - 1); // the last point repeats the first
    if (hull.size() < 3) return {};
    Loop result;
    for (std::size_t i = 0; i < hull.size(); ++i)
        result.curves.push_back(Line{hull[i], hull[(i + 1) % hull.size()]});
    return result;
}

/// Drops curves shorter than the compiler's closure tolerance (start and end coincide): the
/// loop stays closed, since the compiler joins each curve to the next one's start.
void dropPointCurves(Loop& loop, SketchRepairs& repairs) {
    const std::size_t before = loop.curves.size();
    loop.curves.erase(std::remove_if(loop.curves.begin(), loop.curves.end(),
                                     [](const Curve& c) {
                                         return (curveEnd(c) - curveStart(c)).norm() <=
                                                kPointTolerance;
                                     }),
                      loop.curves.end());
    repairs.droppedCurves += int(before - loop.curves.size());
}

/// The loop made simple (empty when nothing of it is left).
Loop untangled(Loop loop, SketchRepairs& repairs) {
    if (loop.curves.size() < 2 || std::holds_alternative<Circle>(loop.curves.front())) return loop;
    dropPointCurves(loop, repairs);
    const std::size_t moves = 8 * loop.curves.size() * loop.curves.size();
    for (std::size_t move = 0; move < moves; ++move) {
        if (loop.curves.size() < 2) return {};
        const auto crossing = firstCrossing(loop);
        if (!crossing) return loop;
        const auto [i, j] = *crossing;
        const std::size_t n = loop.curves.size();
        if (j == i + 1 || (i == 0 && j == n - 1)) {
            mendNeighbours(loop, i, j, repairs);
        } else {
            twoOptMove(loop, i, j);
            ++repairs.untangledCrossings;
            dropPointCurves(loop, repairs); // a new line between corners that coincide
        }
    }
    if (loop.curves.size() >= 2 && !firstCrossing(loop)) return loop;
    ++repairs.hulledLoops;
    return convexHull(loop);
}

/// Area centroid of a closed polygon (its first point when it has no area).
Vec2 centroidOf(const std::vector<Vec2>& polygon) {
    Vec2 sum;
    double twiceArea = 0.0;
    for (std::size_t i = 0; i < polygon.size(); ++i) {
        const Vec2 a = polygon[i], b = polygon[(i + 1) % polygon.size()];
        const double cross = a.cross(b);
        sum = sum + (a + b) * cross;
        twiceArea += cross;
    }
    return std::fabs(twiceArea) > 0.0 ? sum * (1.0 / (3.0 * twiceArea)) : polygon.front();
}

Loop scaledAbout(const Loop& loop, Vec2 centre, double factor) {
    Loop result;
    for (const Curve& curve : loop.curves)
        result.curves.push_back(scaledAbout(curve, centre, factor));
    return result;
}

/// Mends the loops of a profile that meet a larger one: a hole whose centre lies inside the
/// larger loop it crosses (an outline it outgrew: decoded a little too large or off-centre) is
/// shrunk about its centre until it is clear, by the largest of 0.95, 0.9, ..., 0.3, which keeps
/// the hole the design meant; any other such loop, or one that would have to shrink further, is
/// dropped. Empty loops go too.
void separateLoops(Profile& profile, SketchRepairs& repairs) {
    struct Item {
        std::size_t index = 0;
        std::vector<Vec2> polygon;
        double area = 0.0;
    };
    std::vector<Item> items;
    for (std::size_t l = 0; l < profile.loops.size(); ++l) {
        if (profile.loops[l].curves.empty()) continue;
        Item item{l, loopPolygon(profile.loops[l], kMaxChordAngle), 0.0};
        item.area = std::fabs(signedArea(item.polygon));
        items.push_back(std::move(item));
    }
    // Largest first, so an outline survives the small loop that strayed across it; among equals
    // the earlier loop wins.
    std::stable_sort(items.begin(), items.end(),
                     [](const Item& a, const Item& b) { return a.area > b.area; });
    std::vector<bool> keep(profile.loops.size(), false);
    std::vector<const Item*> kept;
    const auto firstMet = [&](const std::vector<Vec2>& polygon) {
        return std::find_if(kept.begin(), kept.end(), [&](const Item* other) {
            return boundariesMeet(polygon, other->polygon);
        });
    };
    for (Item& item : items) {
        const auto met = firstMet(item.polygon);
        if (met != kept.end()) {
            const Vec2 centre = centroidOf(item.polygon);
            if (!containsPoint((*met)->polygon, centre)) continue;
            bool cleared = false;
            for (int step = 1; step <= 14 && !cleared; ++step) { // factors 0.95 ... 0.3
                const Loop shrunk =
                    scaledAbout(profile.loops[item.index], centre, 1.0 - 0.05 * step);
                std::vector<Vec2> polygon = loopPolygon(shrunk, kMaxChordAngle);
                if (firstMet(polygon) != kept.end()) continue;
                profile.loops[item.index] = shrunk;
                item.polygon = std::move(polygon);
                cleared = true;
            }
            if (!cleared) continue;
            ++repairs.shrunkLoops;
        }
        kept.push_back(&item);
        keep[item.index] = true;
    }
    // The survivors in their original order: repair changes only what it must.
    std::vector<Loop> loops;
    for (std::size_t l = 0; l < profile.loops.size(); ++l)
        if (keep[l]) loops.push_back(std::move(profile.loops[l]));
    repairs.droppedLoops += int(profile.loops.size() - loops.size());
    profile.loops = std::move(loops);
}

} // namespace

Program repairSketches(Program program, SketchRepairs* repairs) {
    SketchRepairs local;
    SketchRepairs& done = repairs ? *repairs : local;
    for (Extrude& extrude : program.extrudes) {
        for (Profile& profile : extrude.profiles) {
            for (Loop& loop : profile.loops)
                loop = untangled(std::move(loop), done);
            separateLoops(profile, done);
        }
        extrude.profiles.erase(std::remove_if(extrude.profiles.begin(), extrude.profiles.end(),
                                              [](const Profile& p) { return p.loops.empty(); }),
                               extrude.profiles.end());
    }
    program.extrudes.erase(std::remove_if(program.extrudes.begin(), program.extrudes.end(),
                                          [](const Extrude& e) { return e.profiles.empty(); }),
                           program.extrudes.end());
    return program;
}

} // namespace img2cad::cad
