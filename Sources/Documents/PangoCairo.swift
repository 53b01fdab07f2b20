import CPangoCairo

/// Thin wrappers over cairo and Pango: each class owns one C handle and releases it in deinit. All the unsafe
/// code of the Documents target is here; the renderer works in points with these types.

/// Why a document could not be rendered. The description names the cairo status, never document text.
public struct DocumentRenderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// cairo could not create or finish the PDF surface or its drawing context.
        case surface
        /// Pango could not create a layout or font description.
        case layout
    }
    public var code: Code
    public var description: String
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

/// Pango lengths are integers in units of 1/PANGO_SCALE points. https://docs.gtk.org/Pango/const.SCALE.html
private let pangoScale = Double(PANGO_SCALE)
private func points(_ units: Int32) -> Double { Double(units) / pangoScale }
private func pangoUnits(_ points: Double) -> Int32 { Int32((points * pangoScale).rounded()) }

/// Collects the bytes cairo writes for a stream surface.
private final class ByteSink {
    var bytes: [UInt8] = []
}

/// A PDF surface written to memory. https://www.cairographics.org/manual/cairo-PDF-Surfaces.html
final class PDFSurface {
    let handle: OpaquePointer
    // The surface holds an unretained pointer to the sink: the sink lives as long as this object, and the
    // surface is finished (its last write made) before the sink is read or released.
    private let sink = ByteSink()

    /// cairo_pdf_surface_create_for_stream: cairo calls `write` with the closure pointer for every chunk.
    /// The callback cannot capture Swift context, so the sink travels through the void* closure argument.
    init(widthPoints: Double, heightPoints: Double) throws(DocumentRenderError) {
        let write: cairo_write_func_t = { closure, data, length in
            guard let closure else { return CAIRO_STATUS_WRITE_ERROR }
            let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
            if let data, length > 0 {
                sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
            }
            return CAIRO_STATUS_SUCCESS
        }
        let closure = Unmanaged.passUnretained(sink).toOpaque()
        // Never NULL: on failure cairo returns an "error surface" whose status says why.
        // https://www.cairographics.org/manual/cairo-cairo-surface-t.html#cairo-surface-status
        let surface = cairo_pdf_surface_create_for_stream(write, closure, widthPoints, heightPoints)!
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            throw DocumentRenderError(.surface, "cannot create the PDF surface: \(describe(status))")
        }
        handle = surface
    }

    deinit { cairo_surface_destroy(handle) }

    /// cairo_pdf_surface_set_metadata (cairo 1.16): the document information dictionary's Title.
    func setTitle(_ title: String) {
        cairo_pdf_surface_set_metadata(handle, CAIRO_PDF_METADATA_TITLE, title)
    }

    /// cairo_surface_finish writes the rest of the PDF (cross-reference table, trailer); then the bytes are whole.
    func finish() throws(DocumentRenderError) -> [UInt8] {
        cairo_surface_finish(handle)
        let status = cairo_surface_status(handle)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw DocumentRenderError(.surface, "cannot finish the PDF: \(describe(status))")
        }
        return sink.bytes
    }
}

/// cairo_status_to_string: a fixed English message for the status code, no user data.
private func describe(_ status: cairo_status_t) -> String {
    String(cString: cairo_status_to_string(status))
}

/// A cairo drawing context on a surface. https://www.cairographics.org/manual/cairo-cairo-t.html
final class DrawingContext {
    let handle: OpaquePointer
    private let surface: PDFSurface  // kept alive while drawing

    init(_ surface: PDFSurface) throws(DocumentRenderError) {
        let cr = cairo_create(surface.handle)!  // never NULL: an error context reports its status
        let status = cairo_status(cr)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_destroy(cr)
            throw DocumentRenderError(.surface, "cannot create a drawing context: \(describe(status))")
        }
        handle = cr
        self.surface = surface
    }

    deinit { cairo_destroy(handle) }

    /// cairo_status: drawing errors are sticky, so checking once at the end of each page is enough.
    func check() throws(DocumentRenderError) {
        let status = cairo_status(handle)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw DocumentRenderError(.surface, "drawing failed: \(describe(status))")
        }
    }

    /// cairo_show_page: emits the current page and starts a blank one.
    func showPage() { cairo_show_page(handle) }

    func setGray(_ level: Double) { cairo_set_source_rgb(handle, level, level, level) }

    func strokeLine(from start: (x: Double, y: Double), to end: (x: Double, y: Double), width: Double) {
        cairo_set_line_width(handle, width)
        cairo_move_to(handle, start.x, start.y)
        cairo_line_to(handle, end.x, end.y)
        cairo_stroke(handle)
    }

    func strokeRectangle(x: Double, y: Double, width: Double, height: Double, lineWidth: Double) {
        cairo_set_line_width(handle, lineWidth)
        cairo_rectangle(handle, x, y, width, height)
        cairo_stroke(handle)
    }

    func fillRectangle(x: Double, y: Double, width: Double, height: Double) {
        cairo_rectangle(handle, x, y, width, height)
        cairo_fill(handle)
    }
}

/// A Pango font description parsed from a string such as "DejaVu Sans Bold 10".
/// https://docs.gtk.org/Pango/type_func.FontDescription.from_string.html
final class FontDescription {
    let handle: OpaquePointer
    init(_ description: String) throws(DocumentRenderError) {
        guard let font = pango_font_description_from_string(description) else {
            throw DocumentRenderError(.layout, "cannot parse the font description \(description)")
        }
        handle = font
    }
    deinit { pango_font_description_free(handle) }
}

/// A Pango context for one cairo context: layouts made from it measure text as it will be drawn there.
/// https://docs.gtk.org/PangoCairo/func.create_context.html
final class TextContext {
    let handle: OpaquePointer
    let drawing: DrawingContext

    init(_ drawing: DrawingContext) throws(DocumentRenderError) {
        guard let context = pango_cairo_create_context(drawing.handle) else {
            throw DocumentRenderError(.layout, "cannot create a Pango context")
        }
        handle = context
        self.drawing = drawing
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(handle)) }
}

/// Where one line of a layout sits, in points, relative to the layout's top-left corner.
struct LineMetrics {
    var index: Int32
    var x: Double
    var top: Double
    var height: Double
    var baseline: Double
    var bottom: Double { top + height }
}

enum TextAlignment {
    case left, center

    var pango: PangoAlignment {
        switch self {
        case .left: return PANGO_ALIGN_LEFT
        case .center: return PANGO_ALIGN_CENTER
        }
    }
}

/// A paragraph of plain text wrapped to a width. pango_layout_set_text takes the text literally: nothing in it is
/// interpreted as Pango markup (https://docs.gtk.org/Pango/method.Layout.set_text.html).
final class TextLayout {
    let handle: OpaquePointer
    private let context: TextContext
    /// Every line's position, measured once when the layout is made.
    private(set) var lines: [LineMetrics] = []
    /// The logical height of the whole layout, in points.
    private(set) var height: Double = 0
    /// The logical width of the widest line, in points.
    private(set) var width: Double = 0

    /// `wrapWidth` nil: one line per paragraph of the text, never wrapped. `ellipsize`: a single line cut with "…".
    init(_ context: TextContext, text: String, font: FontDescription, wrapWidth: Double?,
         alignment: TextAlignment = .left, ellipsize: Bool = false) throws(DocumentRenderError) {
        // pango_layout_new takes its own reference to the context.
        guard let layout = pango_layout_new(context.handle) else {
            throw DocumentRenderError(.layout, "cannot create a Pango layout")
        }
        handle = layout
        self.context = context
        pango_layout_set_font_description(layout, font.handle)
        if let wrapWidth {
            pango_layout_set_width(layout, pangoUnits(wrapWidth))
            // Words that do not fit on a line on their own break between characters.
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        }
        if ellipsize {
            pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END)
            pango_layout_set_single_paragraph_mode(layout, 1)
        }
        pango_layout_set_alignment(layout, alignment.pango)
        let plain = TextLayout.plain(text)
        pango_layout_set_text(layout, plain, Int32(plain.utf8.count))
        measure()
    }

    /// Wraps the text to a new width (pango_layout_set_width) and measures it again.
    func wrap(to width: Double) {
        pango_layout_set_width(handle, pangoUnits(width))
        pango_layout_set_wrap(handle, PANGO_WRAP_WORD_CHAR)
        measure()
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(handle)) }

    /// Control characters other than newline and tab have no glyph and could end the C string early (NUL); they
    /// are dropped. Carriage returns before newlines would otherwise be an extra paragraph break.
    static func plain(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.replacingCarriageReturns().unicodeScalars {
            let value = scalar.value
            if value == 0x0A || value == 0x09 || (value >= 0x20 && value != 0x7F && !(0x80...0x9F).contains(value)) {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// pango_layout_get_iter walks the lines; pango_layout_iter_get_line_extents gives each line's logical
    /// rectangle and pango_layout_iter_get_baseline its baseline, both in layout coordinates.
    /// https://docs.gtk.org/Pango/struct.LayoutIter.html
    private func measure() {
        lines.removeAll()
        var logical = PangoRectangle()
        pango_layout_get_extents(handle, nil, &logical)
        height = points(logical.height)
        width = points(logical.width)
        guard let iterator = pango_layout_get_iter(handle) else { return }
        defer { pango_layout_iter_free(iterator) }
        var index: Int32 = 0
        repeat {
            var line = PangoRectangle()
            pango_layout_iter_get_line_extents(iterator, nil, &line)
            let baseline = pango_layout_iter_get_baseline(iterator)
            lines.append(LineMetrics(index: index, x: points(line.x), top: points(line.y),
                                     height: points(line.height), baseline: points(baseline)))
            index += 1
        } while pango_layout_iter_next_line(iterator) != 0
    }

    /// pango_cairo_show_layout: the whole layout with its top-left corner at (x, y).
    func draw(x: Double, y: Double) {
        let cr = context.drawing.handle
        cairo_move_to(cr, x, y)
        pango_cairo_show_layout(cr, handle)
    }

    /// pango_cairo_show_layout_line draws one line with the left end of its baseline at the current point. The
    /// layout's own top-left corner is taken to be at (x, y - line.top), so the line lands at its usual offset.
    func drawLine(_ line: LineMetrics, layoutX x: Double, lineTop y: Double) {
        guard let pangoLine = pango_layout_get_line_readonly(handle, line.index) else { return }
        let cr = context.drawing.handle
        cairo_move_to(cr, x + line.x, y + (line.baseline - line.top))
        pango_cairo_show_layout_line(cr, pangoLine)
    }
}

private extension String {
    /// "\r\n" is one Character in Swift; either it or a lone "\r" becomes "\n".
    func replacingCarriageReturns() -> String {
        guard contains(where: { $0 == "\r" || $0 == "\r\n" }) else { return self }
        return String(map { $0 == "\r" || $0 == "\r\n" ? "\n" : $0 })
    }
}
