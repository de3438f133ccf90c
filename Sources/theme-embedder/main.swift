import Foundation

// theme-embedder OUTPUT.swift THEME.toml…
// Writes the themes as Swift string literals: `ShippedThemes.files["default-dark"]` is the
// text of themes/default-dark.toml.

/// A Swift string literal holding `text` exactly.
func literal(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\u{\(String(scalar.value, radix: 16))}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: theme-embedder OUTPUT.swift THEME.toml…\n".utf8))
    exit(2)
}
var source = """
    // Generated at build time from themes/*.toml by the EmbedThemes plugin.

    /// The themes shipped in `themes/`, by name: compiled in, so an installed binary has them.
    public enum ShippedThemes {
        /// Each theme's TOML text, by file name without `.toml`.
        public static let files: [String: String] = [

    """
for path in arguments.dropFirst() {
    let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    let text = try String(contentsOfFile: path, encoding: .utf8)
    source += "        \(literal(name)): \(literal(text)),\n"
}
source += arguments.count == 1 ? "        :\n    ]\n}\n" : "    ]\n}\n"
try source.write(toFile: output, atomically: true, encoding: .utf8)
