// SPDX-License-Identifier: MIT
#pragma once
// A grid of images written as one PNG (the contact sheet, the results figure): each image is
// area-averaged into its cell, so renders larger than the cell stay smooth and the PNG small.

#include "cad/geometry/image.h"

#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>

#include <algorithm>
#include <string>

namespace img2cad::test {

class ImageSheet {
public:
    /// A white sheet of columns x rows cells of `cell` pixels.
    ImageSheet(int columns, int rows, int cell)
        : m_width(columns * cell), m_height(rows * cell), m_cell(cell) {
        m_sheet->SetDimensions(m_width, m_height, 1);
        m_sheet->AllocateScalars(VTK_UNSIGNED_CHAR, 3);
        std::fill_n(pixels(), std::size_t(m_width) * m_height * 3, static_cast<unsigned char>(255));
    }

    /// Puts an RGB (or grey) image into the cell at (column, row); an empty one leaves it white.
    void place(int column, int row, const cad::Image& image) {
        if (image.empty()) return;
        const int x0 = column * m_cell, y0 = row * m_cell;
        for (int y = 0; y < m_cell; ++y)
            for (int x = 0; x < m_cell; ++x) {
                // Area average of the source pixels this cell pixel covers.
                const int sx0 = x * image.width / m_cell,
                          sx1 = std::max(sx0 + 1, (x + 1) * image.width / m_cell);
                const int sy0 = y * image.height / m_cell,
                          sy1 = std::max(sy0 + 1, (y + 1) * image.height / m_cell);
                // vtkImageData rows run bottom to top.
                unsigned char* out =
                    pixels() + (std::size_t(m_height - 1 - (y0 + y)) * m_width + x0 + x) * 3;
                for (int c = 0; c < 3; ++c) {
                    const int channel = std::min(c, image.channels - 1);
                    int sum = 0;
                    for (int sy = sy0; sy < sy1; ++sy)
                        for (int sx = sx0; sx < sx1; ++sx)
                            sum += image.at(sx, sy, channel);
                    const int count = (sy1 - sy0) * (sx1 - sx0);
                    out[c] = static_cast<unsigned char>((sum + count / 2) / count);
                }
            }
    }

    void write(const std::string& path) {
        vtkNew<vtkPNGWriter> writer;
        writer->SetCompressionLevel(9);
        writer->SetFileName(path.c_str());
        writer->SetInputData(m_sheet);
        writer->Write();
    }

private:
    unsigned char* pixels() { return static_cast<unsigned char*>(m_sheet->GetScalarPointer()); }

    int m_width, m_height, m_cell;
    vtkNew<vtkImageData> m_sheet;
};

} // namespace img2cad::test
