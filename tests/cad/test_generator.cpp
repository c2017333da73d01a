// SPDX-License-Identifier: MIT
// The procedural part generator: every family gives valid solids for seeds 0..49 with few
// rejects, parts are deterministic and distinct, survive the JSON round trip and stay within
// DeepCAD's sequence limits; family names round-trip.

#include "test_registry.h"

#include "cad/compiler.h"
#include "cad/error.h"
#include "cad/generator/part_generator.h"
#include "cad/program_json.h"
#include "cad/topology.h"

#include <QTest>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

using namespace img2cad::cad;

Q_DECLARE_METATYPE(img2cad::cad::PartFamily)

namespace {

constexpr int kSeeds = 50;

/// DeepCAD's limits (prior-art.md section 4.1); toothed outlines (gears, knurled knobs) may use
/// more curves per loop.
constexpr std::size_t kMaxExtrudes = 10;
constexpr std::size_t kMaxLoopsPerProfile = 6;
constexpr std::size_t kMaxCurvesPerLoop = 15;
constexpr std::size_t kMaxCommands = 60;
constexpr std::size_t kMaxToothedCurvesPerLoop = 60;
constexpr std::size_t kMaxToothedCommands = 100;

bool isToothed(PartFamily family) {
    return family == PartFamily::Gear || family == PartFamily::Knob;
}

/// Runs work(i) for i in [0, count) on all cores: compiling is thread-safe, and the parts of
/// 16 families, compiled twice (by the generator and by the test), take a minute on one core.
template <typename Work> void forEachInParallel(int count, const Work& work) {
    std::atomic<int> next{0};
    const auto worker = [&] {
        for (int i = next++; i < count; i = next++)
            work(i);
    };
    std::vector<std::thread> threads;
    const unsigned cores = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
    for (unsigned k = 1; k < cores; ++k)
        threads.emplace_back(worker);
    worker();
    for (std::thread& thread : threads)
        thread.join();
}

/// Parts of seeds 0..49 per family, generated once and shared by the test functions.
const std::vector<GeneratedPart>& partsOf(PartFamily family) {
    static std::map<PartFamily, std::vector<GeneratedPart>> cache;
    auto& parts = cache[family];
    if (parts.empty()) {
        parts.resize(kSeeds);
        forEachInParallel(kSeeds, [&](int seed) {
            parts[std::size_t(seed)] = generatePart(family, std::uint64_t(seed));
        });
    }
    return parts;
}

std::size_t commandCount(const Program& program) {
    return curveCount(program) + program.extrudes.size();
}

void addFamilyRows() {
    QTest::addColumn<PartFamily>("family");
    for (PartFamily family : allPartFamilies())
        QTest::newRow(partFamilyName(family)) << family;
}

} // namespace

class TestGenerator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyFamilyGivesFiftyValidParts_data();
    void everyFamilyGivesFiftyValidParts();
    void programsStayWithinDeepCadLimits_data();
    void programsStayWithinDeepCadLimits();
    void sameSeedGivesSameProgram_data();
    void sameSeedGivesSameProgram();
    void differentSeedsGiveDistinctParts_data();
    void differentSeedsGiveDistinctParts();
    void programsSurviveJsonRoundTrip_data();
    void programsSurviveJsonRoundTrip();
    void seedAloneChoosesTheFamily();
    void nearDuplicateKeyRoundsToTheQuantum();
    void familyNamesRoundTrip();
};

void TestGenerator::everyFamilyGivesFiftyValidParts_data() {
    addFamilyRows();
}

void TestGenerator::everyFamilyGivesFiftyValidParts() {
    QFETCH(PartFamily, family);
    const std::vector<GeneratedPart>& parts = partsOf(family);
    std::vector<ShapeReport> reports(parts.size());
    forEachInParallel(int(parts.size()), [&](int i) {
        reports[std::size_t(i)] = analyse(compile(parts[std::size_t(i)].program));
    });
    int rejected = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const GeneratedPart& part = parts[i];
        const ShapeReport& report = reports[i];
        QCOMPARE(part.family, family);
        QVERIFY2(report.valid, report.invalidReason.c_str());
        QVERIFY(report.watertight);
        QVERIFY(report.solids >= 1);
        QVERIFY(report.volume > 0);
        rejected += part.rejected;
    }
    const double rate = double(rejected) / (rejected + kSeeds);
    qInfo("%s: %d rejected for %d parts (reject rate %.0f%%)", partFamilyName(family), rejected,
          kSeeds, rate * 100);
    QVERIFY(rate < 0.5);
}

void TestGenerator::programsStayWithinDeepCadLimits_data() {
    addFamilyRows();
}

void TestGenerator::programsStayWithinDeepCadLimits() {
    QFETCH(PartFamily, family);
    const std::size_t maxCurves = isToothed(family) ? kMaxToothedCurvesPerLoop : kMaxCurvesPerLoop;
    const std::size_t maxCommands = isToothed(family) ? kMaxToothedCommands : kMaxCommands;
    std::vector<std::size_t> commands;
    for (const GeneratedPart& part : partsOf(family)) {
        const Program& program = part.program;
        QVERIFY(!program.extrudes.empty());
        QVERIFY(program.extrudes.size() <= kMaxExtrudes);
        for (const Extrude& extrude : program.extrudes)
            for (const Profile& profile : extrude.profiles) {
                QVERIFY(profile.loops.size() <= kMaxLoopsPerProfile);
                for (const Loop& loop : profile.loops)
                    QVERIFY(loop.curves.size() <= maxCurves);
            }
        commands.push_back(commandCount(program));
        QVERIFY(commands.back() <= maxCommands);
    }
    std::sort(commands.begin(), commands.end());
    qInfo("%s: curves + extrudes min %zu, median %zu, max %zu", partFamilyName(family),
          commands.front(), commands[commands.size() / 2], commands.back());
}

void TestGenerator::sameSeedGivesSameProgram_data() {
    addFamilyRows();
}

void TestGenerator::sameSeedGivesSameProgram() {
    QFETCH(PartFamily, family);
    // A few seeds suffice: the generator has no state besides the seed.
    for (std::uint64_t seed : {0u, 7u, 31u}) {
        const GeneratedPart again = generatePart(family, seed);
        const GeneratedPart& first = partsOf(family)[seed];
        QVERIFY(again.program == first.program);
        QCOMPARE(again.rejected, first.rejected);
        QCOMPARE(again.seed, seed);
    }
}

void TestGenerator::differentSeedsGiveDistinctParts_data() {
    addFamilyRows();
}

void TestGenerator::differentSeedsGiveDistinctParts() {
    QFETCH(PartFamily, family);
    std::set<std::string> keys;
    for (const GeneratedPart& part : partsOf(family))
        keys.insert(nearDuplicateKey(part.program));
    QVERIFY2(keys.size() >= 45, std::to_string(keys.size()).c_str());
}

void TestGenerator::programsSurviveJsonRoundTrip_data() {
    addFamilyRows();
}

void TestGenerator::programsSurviveJsonRoundTrip() {
    QFETCH(PartFamily, family);
    for (const GeneratedPart& part : partsOf(family))
        QVERIFY(programFromJson(programToJson(part.program)) == part.program);
}

void TestGenerator::seedAloneChoosesTheFamily() {
    std::set<PartFamily> seen;
    for (std::uint64_t seed = 0; seed < 40; ++seed) {
        const GeneratedPart part = generatePart(seed);
        QCOMPARE(part.seed, seed);
        seen.insert(part.family);
        if (seed < 3) QVERIFY(generatePart(part.family, seed).program == part.program);
    }
    QVERIFY(seen.size() >= 8); // 40 draws over 16 families
}

void TestGenerator::nearDuplicateKeyRoundsToTheQuantum() {
    const Program program = partsOf(PartFamily::HolePlate).front().program;
    Program nudged = program;
    nudged.name = "another name";
    nudged.extrudes[0].extent.distance += 0.01;
    QCOMPARE(nearDuplicateKey(nudged), nearDuplicateKey(program));
    nudged.extrudes[0].extent.distance += 3;
    QVERIFY(nearDuplicateKey(nudged) != nearDuplicateKey(program));
    QVERIFY(nearDuplicateKey(nudged, 10) != nearDuplicateKey(nudged, 0.5));
    QVERIFY_THROWS_EXCEPTION(Error, nearDuplicateKey(program, 0));
}

void TestGenerator::familyNamesRoundTrip() {
    QCOMPARE(allPartFamilies().size(), std::size_t(16));
    std::set<std::string> names;
    for (PartFamily family : allPartFamilies()) {
        const std::string name = partFamilyName(family);
        names.insert(name);
        QVERIFY(std::all_of(name.begin(), name.end(),
                            [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; }));
        QCOMPARE(partFamilyFromName(name), std::optional<PartFamily>(family));
    }
    QCOMPARE(names.size(), allPartFamilies().size());
    QCOMPARE(partFamilyFromName("RoundFlange"), std::optional<PartFamily>());
    QCOMPARE(partFamilyFromName(""), std::optional<PartFamily>());
}

IMG2CAD_REGISTER_TEST(TestGenerator)
#include "test_generator.moc"
