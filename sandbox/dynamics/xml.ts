/**
 * A small XML reader for FetchXML and paging cookies: elements, attributes (single or double quotes),
 * self-closing tags, text, comments, the `<?xml …?>` declaration and the five named entities plus
 * numeric character references. No namespaces, DTDs or CDATA — FetchXML needs none of them.
 */

export interface XmlElement {
	name: string;
	attrs: Record<string, string>;
	children: XmlElement[];
	/** Concatenated text directly inside the element (for `<value>`). */
	text: string;
}

/** Thrown on input that is not well-formed; `pos` is the 0-based offset. */
export class XmlSyntaxError extends Error {
	constructor(
		message: string,
		readonly pos: number,
	) {
		super(message);
	}
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeXmlEntities(s: string, pos = 0): string {
	return s.replace(/&([^;&\s]*);?/g, (m, body: string) => {
		if (!m.endsWith(';')) throw new XmlSyntaxError(`Unterminated entity '${m}'`, pos);
		if (body in NAMED) return NAMED[body];
		const num = /^#x([0-9a-f]+)$/i.exec(body) ?? /^#(\d+)$/.exec(body);
		if (num)
			return String.fromCodePoint(parseInt(num[1], body[1] === 'x' || body[1] === 'X' ? 16 : 10));
		throw new XmlSyntaxError(`Unknown entity '&${body};'`, pos);
	});
}

/** Escapes a value for a double-quoted XML attribute. */
export function escapeXmlAttr(s: string): string {
	return s
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;');
}

const NAME_RE = /[A-Za-z_][\w.:-]*/y;

/** Parses a document with exactly one root element. */
export function parseXml(src: string): XmlElement {
	let i = 0;
	const stack: XmlElement[] = [];
	let root: XmlElement | undefined;

	const fail = (msg: string): never => {
		throw new XmlSyntaxError(msg, i);
	};
	const skipWs = () => {
		while (i < src.length && /\s/.test(src[i])) i++;
	};
	const readName = (): string => {
		NAME_RE.lastIndex = i;
		const m = NAME_RE.exec(src);
		if (!m) fail('Name expected');
		i += m![0].length;
		return m![0];
	};

	while (i < src.length) {
		if (src.startsWith('<!--', i)) {
			const end = src.indexOf('-->', i + 4);
			if (end < 0) fail('Unterminated comment');
			i = end + 3;
		} else if (src.startsWith('<?', i)) {
			const end = src.indexOf('?>', i + 2);
			if (end < 0) fail('Unterminated processing instruction');
			i = end + 2;
		} else if (src.startsWith('</', i)) {
			i += 2;
			const name = readName();
			skipWs();
			if (src[i] !== '>') fail(`'>' expected after </${name}`);
			i++;
			const open = stack.pop();
			if (!open || open.name !== name) fail(`Unexpected end tag </${name}>`);
			if (!stack.length) root = open;
		} else if (src[i] === '<') {
			i++;
			if (root) fail('Only one root element is allowed');
			const el: XmlElement = { name: readName(), attrs: {}, children: [], text: '' };
			for (;;) {
				skipWs();
				if (src.startsWith('/>', i) || src[i] === '>') break;
				if (i >= src.length) fail(`Unterminated tag <${el.name}`);
				const attr = readName();
				skipWs();
				if (src[i] !== '=') fail(`'=' expected after attribute ${attr}`);
				i++;
				skipWs();
				const q = src[i];
				if (q !== '"' && q !== "'") fail(`Quoted value expected for attribute ${attr}`);
				const end = src.indexOf(q, i + 1);
				if (end < 0) fail(`Unterminated value of attribute ${attr}`);
				const raw = src.slice(i + 1, end);
				if (raw.includes('<')) fail(`'<' is not allowed in the value of attribute ${attr}`);
				if (attr in el.attrs) fail(`Duplicate attribute ${attr}`);
				el.attrs[attr] = decodeXmlEntities(raw, i);
				i = end + 1;
			}
			if (stack.length) stack[stack.length - 1].children.push(el);
			if (src.startsWith('/>', i)) {
				i += 2;
				if (!stack.length) root = el;
			} else {
				i++;
				stack.push(el);
			}
		} else {
			const next = src.indexOf('<', i);
			const end = next < 0 ? src.length : next;
			const text = src.slice(i, end);
			if (stack.length) stack[stack.length - 1].text += decodeXmlEntities(text, i);
			else if (text.trim()) fail('Text outside the root element');
			i = end;
		}
	}
	if (stack.length) fail(`Unclosed element <${stack[stack.length - 1].name}>`);
	if (!root) fail('No root element');
	return root!;
}
