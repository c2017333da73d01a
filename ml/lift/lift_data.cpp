// SPDX-License-Identifier: MIT
#include "ml/lift/lift_data.h"

#include "ml/error.h"
#include "ml/vision/photo_preprocess.h"

namespace img2cad::ml {

torch::Tensor imageTensor(const cad::Image& rgb) {
    if (rgb.channels != 3 || rgb.empty()) throw Error("the lifting network reads RGB images");
    const torch::Tensor pixels = torch::from_blob(const_cast<std::uint8_t*>(rgb.pixels.data()),
                                                  {rgb.height, rgb.width, 3}, torch::kUInt8)
                                     .permute({2, 0, 1})
                                     .to(torch::kFloat)
                                     .div(255.0);
    const torch::Tensor mean = torch::tensor({0.485f, 0.456f, 0.406f}).view({3, 1, 1});
    const torch::Tensor deviation = torch::tensor({0.229f, 0.224f, 0.225f}).view({3, 1, 1});
    return ((pixels - mean) / deviation).contiguous();
}

LiftExample liftExample(const Sample& sample, std::size_t view, int imageSize, std::int64_t points,
                        at::Generator generator) {
    if (view >= sample.views.size())
        throw Error("sample " + std::to_string(sample.index) + " has no view " +
                    std::to_string(view));
    const View& v = sample.views[view];
    PreprocessOptions options;
    options.outputSize = imageSize;
    const PreprocessedPhoto input = cropToPart(v.color, v.mask, options);
    const std::int64_t available = std::int64_t(sample.points.positions.size());
    if (available == 0) throw Error("sample " + std::to_string(sample.index) + " has no points");
    const torch::Tensor all = torch::from_blob(
        const_cast<cad::Vec3f*>(sample.points.positions.data()), {available, 3}, torch::kFloat);
    const torch::Tensor chosen =
        available <= points
            ? all.clone()
            : all.index_select(
                  0, torch::randperm(available, generator, torch::kLong).narrow(0, 0, points));
    return {imageTensor(input.input), chosen};
}

std::pair<torch::Tensor, torch::Tensor>
stackLiftExamples(const std::vector<LiftExample>& examples) {
    if (examples.empty()) throw Error("an empty lifting batch");
    std::vector<torch::Tensor> images, points;
    for (const LiftExample& e : examples) {
        images.push_back(e.image);
        points.push_back(e.points);
    }
    return {torch::stack(images), torch::stack(points)};
}

} // namespace img2cad::ml
