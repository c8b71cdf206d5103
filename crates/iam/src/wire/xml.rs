//! A small writer of the query protocol's response XML: elements in order, text escaped.

/// An XML document being written element by element.
pub struct Xml {
    out: String,
}

impl Xml {
    /// A document whose root element `root` declares `namespace`.
    pub fn document(root: &str, namespace: &str) -> Xml {
        let mut out = String::with_capacity(512);
        out.push_str(&format!("<{root} xmlns=\"{namespace}\">"));
        Xml { out }
    }

    /// Opens element `name`.
    pub fn open(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Closes element `name`.
    pub fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Element `name` holding `value` as text.
    pub fn text(&mut self, name: &str, value: &str) {
        self.open(name);
        escape_into(&mut self.out, value);
        self.close(name);
    }

    /// `value` as text inside the element open now.
    pub fn raw(&mut self, value: &str) {
        escape_into(&mut self.out, value);
    }

    /// The `<ResponseMetadata>` every successful response ends with.
    pub fn metadata(&mut self, request_id: &str) {
        self.open("ResponseMetadata");
        self.text("RequestId", request_id);
        self.close("ResponseMetadata");
    }

    /// Closes the root element `root` and returns the document.
    pub fn finish(mut self, root: &str) -> Vec<u8> {
        self.close(root);
        self.out.into_bytes()
    }
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}
