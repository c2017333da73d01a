// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace img2cad::cad {

/// Surface type of a BRep face; the per-point label of sampled clouds (Seg Acc, appendix A).
enum class PrimitiveType : std::uint8_t { Plane, Cylinder, Cone, Sphere, Torus, Other };

constexpr int kPrimitiveTypeCount = 6;

inline const char* primitiveTypeName(PrimitiveType t) {
    switch (t) {
    case PrimitiveType::Plane:
        return "plane";
    case PrimitiveType::Cylinder:
        return "cylinder";
    case PrimitiveType::Cone:
        return "cone";
    case PrimitiveType::Sphere:
        return "sphere";
    case PrimitiveType::Torus:
        return "torus";
    case PrimitiveType::Other:
        break;
    }
    return "other";
}

} // namespace img2cad::cad
