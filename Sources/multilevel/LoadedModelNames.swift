import Foundation
import Multilevel

extension LoadedModel {
    /// The data set's name as brms prints it: the data file's name without its extension.
    var dataName: String {
        guard let url = try? specification.resolvedDataURL() else { return "data" }
        return url.deletingPathExtension().lastPathComponent
    }

    /// The data file's path as given, for CSV comment blocks.
    var dataFileName: String { specification.data?.value ?? "" }

    /// The model's name: the model file's name without extension, else the data set's name.
    var modelName: String {
        modelFileURL.map { $0.deletingPathExtension().lastPathComponent } ?? dataName
    }
}

extension Family {
    /// The links brms prints in its summary header: `mu` with the family's link, then each
    /// family-specific parameter with the identity link (`mu = identity; sigma = identity`).
    var brmsLinks: [(parameter: String, link: String)] {
        [("mu", "\(link)")] + auxiliaryParameters.map { ($0.rawValue, "identity") }
    }
}
