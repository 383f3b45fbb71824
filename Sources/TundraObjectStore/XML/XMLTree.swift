import CLibXML2

/// A parsed XML element: local name (namespace dropped), text content and children. S3
/// answers are small, so the whole tree is copied out of libxml2 and its document freed
/// at once; nothing outside this file sees a libxml2 pointer.
struct XMLTree: Sendable, Equatable {
    var name: String
    var text: String
    var children: [XMLTree]

    /// The first child with this name.
    func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// Every child with this name, in document order.
    func all(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// The text of the first child with this name.
    subscript(_ name: String) -> String? { child(name)?.text }

    /// Parses a document; nil when it is not well-formed XML.
    static func parse(_ bytes: [UInt8]) -> XMLTree? {
        XMLParserSetup.once
        // NONET: never fetch an external entity. NOENT is left off so entities are not
        // expanded (no billion-laughs).
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let doc = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                    xmlReadMemory($0, Int32(buf.count), "response.xml", nil, options)
                }
            }
        }
        guard let doc else { return nil }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { return nil }
        return convert(root)
    }

    private static func convert(_ node: xmlNodePtr) -> XMLTree {
        let name = node.pointee.name.map { String(cString: $0) } ?? ""
        var text = ""
        var children: [XMLTree] = []
        var cursor = node.pointee.children
        while let c = cursor {
            switch c.pointee.type {
            case XML_ELEMENT_NODE:
                children.append(convert(c))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = c.pointee.content { text += String(cString: content) }
            default:
                break
            }
            cursor = c.pointee.next
        }
        return XMLTree(name: name, text: text, children: children)
    }
}

private enum XMLParserSetup {
    // libxml2 wants xmlInitParser on one thread before parsing on many.
    static let once: Void = xmlInitParser()
}
