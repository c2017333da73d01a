// SPDX-License-Identifier: MIT
#include "cad/internal/face_unification.h"

#include <BRepAdaptor_Surface.hxx>
#include <BinTools.hxx>
#include <ShapeUpgrade_UnifySameDomain.hxx>
#include <TopExp_Explorer.hxx>
#include <TopoDS.hxx>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>

namespace img2cad::cad {
namespace {

using Clock = std::chrono::steady_clock;

TopoDS_Shape unifiedHere(const TopoDS_Shape& shape) {
    ShapeUpgrade_UnifySameDomain unify(shape, Standard_True, Standard_True, Standard_False);
    for (TopExp_Explorer face(shape, TopAbs_FACE); face.More(); face.Next()) {
        if (BRepAdaptor_Surface(TopoDS::Face(face.Current())).GetType() == GeomAbs_Plane) continue;
        for (TopExp_Explorer edge(face.Current(), TopAbs_EDGE); edge.More(); edge.Next())
            unify.KeepShape(edge.Current());
    }
    unify.Build();
    return unify.Shape();
}

// Shapes travel as binary BREP (exact doubles), each message its length and its bytes.
std::string toBytes(const TopoDS_Shape& shape) {
    std::ostringstream bytes;
    BinTools::Write(shape, bytes, Standard_False, Standard_False, BinTools_FormatVersion_CURRENT);
    return bytes.str();
}

TopoDS_Shape fromBytes(const std::string& bytes) {
    TopoDS_Shape shape;
    std::istringstream in(bytes);
    BinTools::Read(shape, in);
    return shape;
}

/// Sends or receives all of `size` bytes; false when the other end is gone or, with a deadline,
/// when it passes first. MSG_NOSIGNAL: a helper that died must not take the process with it.
bool transfer(int fd, char* data, std::size_t size, bool sending,
              std::optional<Clock::time_point> deadline) {
    for (std::size_t done = 0; done < size;) {
        if (deadline) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
            if (left.count() <= 0) return false;
            pollfd wait{fd, short(sending ? POLLOUT : POLLIN), 0};
            const int ready = poll(&wait, 1, int(left.count()) + 1);
            if (ready < 0 && errno == EINTR) continue;
            if (ready <= 0) return false;
        }
        const ssize_t n = sending ? send(fd, data + done, size - done, MSG_NOSIGNAL)
                                  : recv(fd, data + done, size - done, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += std::size_t(n);
    }
    return true;
}

bool sendMessage(int fd, const std::string& bytes, std::optional<Clock::time_point> deadline) {
    std::uint64_t size = bytes.size();
    return transfer(fd, reinterpret_cast<char*>(&size), sizeof size, true, deadline) &&
           transfer(fd, const_cast<char*>(bytes.data()), bytes.size(), true, deadline);
}

std::optional<std::string> receiveMessage(int fd, std::optional<Clock::time_point> deadline) {
    std::uint64_t size = 0;
    if (!transfer(fd, reinterpret_cast<char*>(&size), sizeof size, false, deadline))
        return std::nullopt;
    std::string bytes(size, '\0');
    if (!transfer(fd, bytes.data(), bytes.size(), false, deadline)) return std::nullopt;
    return bytes;
}

/// The helper process: merges each shape it is sent and sends it back (an empty message when
/// the merge failed), until the process that started it closes its end. Only _exit, so that no
/// destructor or atexit handler of the parent's libraries runs twice.
[[noreturn]] void serve(int fd, std::size_t extraBytes) {
    // It keeps no file of the parent's open: a pipe's write end held here would keep whoever
    // reads that pipe (a child's stdin, a test reading the CLI's output) from ever seeing its
    // end. Standard streams go to /dev/null; everything else but the socket is closed.
    if (fd <= 2) fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (const int devNull = open("/dev/null", O_RDWR); devNull >= 0)
        for (const int stream : {0, 1, 2})
            dup2(devNull, stream);
    if (fd > 3) close_range(3, unsigned(fd) - 1, 0);
    close_range(unsigned(fd) + 1, ~0U, 0);
    // Its memory is capped above what it was forked with: a looping merge fails an allocation
    // there instead of taking the machine's memory before the parent's deadline stops it.
    if (std::FILE* statm = std::fopen("/proc/self/statm", "r")) {
        unsigned long pages = 0;
        if (std::fscanf(statm, "%lu", &pages) == 1) {
            const rlim_t cap = rlim_t(pages) * rlim_t(sysconf(_SC_PAGESIZE)) + extraBytes;
            const rlimit limit{cap, cap};
            setrlimit(RLIMIT_AS, &limit);
        }
        std::fclose(statm);
    }
    for (;;) {
        const std::optional<std::string> request = receiveMessage(fd, std::nullopt);
        if (!request) _exit(0);
        std::string reply;
        try {
            reply = toBytes(unifiedHere(fromBytes(*request)));
        } catch (...) { // an OCC failure, or the memory cap reached
            reply.clear();
        }
        if (!sendMessage(fd, reply, std::nullopt)) _exit(0);
    }
}

/// One helper process per process, started on first use and again after it was stopped.
/// Forking a helper once rather than a child per merge: a fork of a process that holds the
/// models costs tens of milliseconds of page tables (a child per merge: 10 s of system time over
/// 12 held-out parts in `eval`); a merge sent to a running helper costs about 4 ms more than
/// in the process (the shape's bytes both ways). A helper forked while another thread held a
/// lock it then needs would hang: its deadline stops it, and the next merge forks a new one.
class Helper {
public:
    std::optional<TopoDS_Shape> unify(const TopoDS_Shape& shape,
                                      const FaceUnificationLimits& limits) {
        const std::string request = toBytes(shape);
        const std::lock_guard<std::mutex> lock(m_mutex);
        if (m_pid >= 0 && m_owner != getpid()) forget(); // a forked copy: the helper is not ours
        if (m_pid < 0 && !start(limits.extraBytes)) return std::nullopt;
        const Clock::time_point deadline =
            Clock::now() + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(limits.seconds));
        std::optional<std::string> reply;
        if (sendMessage(m_fd, request, deadline)) reply = receiveMessage(m_fd, deadline);
        if (!reply) { // late, or gone: whatever it is doing, it does not finish it
            stop();
            return std::nullopt;
        }
        if (reply->empty()) return std::nullopt;
        TopoDS_Shape unified = fromBytes(*reply);
        if (unified.IsNull()) return std::nullopt;
        return unified;
    }

    ~Helper() {
        if (m_pid >= 0 && m_owner == getpid()) stop();
    }

private:
    bool start(std::size_t extraBytes) {
        int ends[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) return false;
        const pid_t pid = fork();
        if (pid == 0) {
            close(ends[0]);
            serve(ends[1], extraBytes);
        }
        close(ends[1]);
        if (pid < 0) {
            close(ends[0]);
            return false;
        }
        m_pid = pid, m_fd = ends[0], m_owner = getpid();
        return true;
    }

    void stop() {
        const pid_t pid = m_pid;
        forget();
        kill(pid, SIGKILL);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }

    void forget() {
        close(m_fd);
        m_pid = -1, m_fd = -1;
    }

    std::mutex m_mutex;
    pid_t m_pid = -1;   ///< the helper, or -1
    int m_fd = -1;      ///< this end of its socket
    pid_t m_owner = -1; ///< the process that forked it (a fork of that one must start its own)
};

} // namespace

TopoDS_Shape unifiedFaces(const TopoDS_Shape& shape, const FaceUnificationLimits& limits) {
    static Helper helper;
    std::optional<TopoDS_Shape> unified = helper.unify(shape, limits);
    return unified ? *unified : shape;
}

} // namespace img2cad::cad
