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
        [("mu", link.rawValue)] + auxiliaryParameters.map { ($0.rawValue, "identity") }
    }
}

extension LoadedModel {
    /// The model's family with its link (`bernoulli(link = "probit")`); an unknown family or a
    /// link the family does not have is a one-line error naming where it was given
    /// (`m.model:3: family poisson has no link 'logit' (its links: log, identity, sqrt)`).
    func responseFamily() throws -> Family {
        do {
            return try Family(name: family)
        } catch let error as FamilyError {
            guard let origin = specification.family?.origin else { throw error }
            throw ModelFileError(location: origin.description, message: error.message)
        }
    }
}
