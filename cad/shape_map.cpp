// SPDX-License-Identifier: MIT
#include "cad/shape_map.h"

#include "cad/error.h"
#include "cad/internal/occ_guard.h"
#include "cad/internal/occ_shape.h"

#include <BRepBuilderAPI_Transform.hxx>
#include <gp_Trsf.hxx>

#include <cmath>

namespace img2cad::cad {

Shape mapped(const Shape& shape, const AxisRotation& rotation, double scale,
             const Vec3& translation) {
    if (unwrapOcc(shape).IsNull()) throw Error("cannot move an empty shape");
    if (!(scale > 0.0) || !std::isfinite(scale))
        throw Error("cannot scale a shape by a factor that is not positive and finite");
    return guardOcc("moving a shape", [&] {
        const Vec3 x = rotation.xDir * scale, y = rotation.yDir * scale,
                   z = rotation.zDir() * scale;
        // Rows of the 3 x 4 matrix; the columns are where the axes go.
        gp_Trsf trsf;
        trsf.SetValues(x.x, y.x, z.x, translation.x, //
                       x.y, y.y, z.y, translation.y, //
                       x.z, y.z, z.z, translation.z);
        // A copy: the candidate it came from keeps its own solid.
        return wrapOcc(BRepBuilderAPI_Transform(unwrapOcc(shape), trsf, Standard_True).Shape());
    });
}

} // namespace img2cad::cad
