// One flat (non-nested) Parquet column chunk read forward a run of rows at a time, values made only for that run.
// hyparquet decodes a page whole: a writer that puts a whole column chunk in one page (DuckDB: 122,880 values) makes
// it build every value of the row group at once, values that outlive young-generation collections and grow the heap
// far beyond what is kept. Here a page is decompressed whole (its bytes are compact), but PLAIN byte arrays (text,
// JSON, binary: the values that cost the most heap) are cut out of it only when their rows are asked for, and every
// other encoding's raw values (typed arrays, dictionary indexes) are converted run by run. The decoding pieces are
// hyparquet's own, so values come out exactly as its reader makes them.
import type { DataPageHeader, DataReader, DecodedArray, Encoding, PageHeader } from 'hyparquet';
import { parquetHeader, readPage } from 'hyparquet/src/column.js';
import { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getMaxDefinitionLevel } from 'hyparquet/src/schema.js';

export type ColumnDecoder = Parameters<typeof convert>[1];

/** Values of one page, handed out in order: raw (to be converted), or already converted. */
interface PageValues {
  converted: boolean;
  next(count: number): DecodedArray;
}

/** PLAIN byte arrays read from the page's bytes only when asked for. */
function plainValues(reader: DataReader, decoder: ColumnDecoder): PageValues {
  return { converted: false, next: (count) => readPlain(reader, decoder.type, count, decoder.element.type_length) };
}

/**
 * How a PLAIN text page's values become strings without a Uint8Array per value: `text` as hyparquet's default
 * stringFromBytes (TextDecoder: invalid bytes become U+FFFD, a leading byte order mark is dropped), `json` parsed
 * from that text as its jsonFromBytes does. Undefined: the column's values are not text.
 */
function textDecodingOf(decoder: ColumnDecoder): 'text' | 'json' | undefined {
  const { type, converted_type: converted, logical_type: logical } = decoder.element;
  if (type !== 'BYTE_ARRAY' || decoder.parsers.stringFromBytes !== DEFAULT_PARSERS.stringFromBytes) return undefined;
  if (converted === 'JSON' && (!logical || logical.type === 'JSON'))
    return decoder.parsers.jsonFromBytes === DEFAULT_PARSERS.jsonFromBytes ? 'json' : undefined;
  if (converted === 'UTF8' && (!logical || logical.type === 'STRING')) return 'text';
  if (converted === undefined && logical?.type === 'STRING') return 'text';
  return undefined;
}

/** Length-prefixed PLAIN byte arrays decoded straight from the page's bytes as UTF-8 text (and parsed, for JSON). */
export function textValues(reader: DataReader, decoding: 'text' | 'json'): PageValues {
  const { view } = reader;
  const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  return {
    converted: true,
    next(count) {
      const values = new Array<unknown>(count);
      let offset = reader.offset;
      for (let index = 0; index < count; index += 1) {
        const end = offset + 4 + view.getUint32(offset, true);
        offset += 4;
        if (end - offset >= 3 && bytes[offset] === 0xef && bytes[offset + 1] === 0xbb && bytes[offset + 2] === 0xbf)
          offset += 3;
        const text = bytes.toString('utf8', offset, end);
        values[index] = decoding === 'json' ? JSON.parse(text) : text;
        offset = end;
      }
      reader.offset = offset;
      return values;
    },
  };
}

/** Values decoded with the page (typed arrays, dictionary indexes, booleans: compact), handed out by slices. */
function decodedValues(values: DecodedArray): PageValues {
  let index = 0;
  return {
    converted: false,
    next(count) {
      const run = Array.isArray(values)
        ? values.slice(index, index + count)
        : (values as Exclude<DecodedArray, unknown[]>).subarray(index, index + count);
      index += count;
      return run;
    },
  };
}

interface Page {
  rows: number;
  encoding: Encoding;
  /** Definition levels, one a row; empty when every value is present. */
  levels: ArrayLike<number>;
  values: PageValues;
}

const lazyTypes = new Set(['BYTE_ARRAY', 'FIXED_LEN_BYTE_ARRAY', 'INT96']);

export class ParquetColumnCursor {
  private readonly reader: DataReader;
  private readonly maxLevel: number;
  private dictionary: DecodedArray | undefined;
  private page: Page | undefined;
  /** The next row of the current page. */
  private row = 0;

  /** `bytes`: the whole column chunk (its dictionary page, if any, then its data pages). */
  private readonly decoder: ColumnDecoder;
  private readonly text: 'text' | 'json' | undefined;

  constructor(bytes: Uint8Array, decoder: ColumnDecoder) {
    this.decoder = decoder;
    this.text = textDecodingOf(decoder);
    this.reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
    this.maxLevel = getMaxDefinitionLevel(decoder.schemaPath);
  }

  /** The next `count` rows' values, converted as hyparquet converts them; null where a row has no value. */
  take(count: number): unknown[] {
    const output = new Array<unknown>(count);
    let filled = 0;
    while (filled < count) {
      const page = this.currentPage();
      const run = Math.min(count - filled, page.rows - this.row);
      if (page.levels.length === 0) {
        const values = this.converted(page, run);
        for (let index = 0; index < run; index += 1) output[filled + index] = values[index];
      } else {
        let present = 0;
        for (let index = 0; index < run; index += 1) if (page.levels[this.row + index] === this.maxLevel) present += 1;
        const values = this.converted(page, present);
        let next = 0;
        for (let index = 0; index < run; index += 1)
          output[filled + index] = page.levels[this.row + index] === this.maxLevel ? values[next++] : null;
      }
      this.row += run;
      filled += run;
    }
    return output;
  }

  private converted(page: Page, count: number): DecodedArray {
    if (count === 0) return [];
    const values = page.values.next(count);
    return page.values.converted ? values : convertWithDictionary(values, this.dictionary, page.encoding, this.decoder);
  }

  private currentPage(): Page {
    while (this.page === undefined || this.row >= this.page.rows) {
      if (this.reader.offset >= this.reader.view.byteLength - 1)
        throw new Error(`parquet column ${this.decoder.pathInSchema.join('.')} holds fewer rows than its row group`);
      const header = parquetHeader(this.reader);
      this.page = this.readPage(header);
      this.row = 0;
    }
    return this.page;
  }

  /** The next data page, reading a dictionary page on the way (undefined page: it held no rows). */
  private readPage(header: PageHeader): Page | undefined {
    const { decoder, reader } = this;
    const start = reader.offset;
    const end = start + header.compressed_page_size;
    const compressed = new Uint8Array(reader.view.buffer, reader.view.byteOffset + start, header.compressed_page_size);
    if (header.type === 'DICTIONARY_PAGE') {
      const { data } = readPage(reader, header, decoder, undefined, undefined, 0);
      if (data) this.dictionary = convert(data, decoder);
      return undefined;
    }
    reader.offset = end;
    if (header.type === 'DATA_PAGE' && header.data_page_header) {
      const daph = header.data_page_header;
      const bytes = decompressPage(compressed, header.uncompressed_page_size, decoder.codec, decoder.compressors);
      if (daph.encoding === 'PLAIN' && lazyTypes.has(decoder.type)) return this.lazyPageV1(bytes, daph);
      const { definitionLevels, dataPage } = readDataPage(bytes, daph, decoder);
      return {
        rows: daph.num_values,
        encoding: daph.encoding,
        levels: definitionLevels ?? [],
        values: decodedValues(dataPage),
      };
    }
    if (header.type === 'DATA_PAGE_V2' && header.data_page_header_v2) {
      const daph2 = header.data_page_header_v2;
      if (daph2.encoding === 'PLAIN' && lazyTypes.has(decoder.type)) return this.lazyPageV2(compressed, header);
      const { definitionLevels, dataPage } = readDataPageV2(compressed, header, decoder);
      return {
        rows: daph2.num_rows,
        encoding: daph2.encoding,
        levels: definitionLevels && !this.allPresent(definitionLevels) ? definitionLevels : [],
        values: decodedValues(dataPage),
      };
    }
    // Index pages and any other kind carry no values of the column.
    return undefined;
  }

  /** A version 1 page: its definition levels (length-prefixed), then its values. */
  private lazyPageV1(bytes: Uint8Array, daph: DataPageHeader): Page {
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
    const levels = this.readLevels(reader, daph.num_values, undefined);
    return { rows: daph.num_values, encoding: 'PLAIN', levels, values: this.plainValues(reader) };
  }

  /** A version 2 page: uncompressed levels, then the values, compressed or not. */
  private lazyPageV2(compressed: Uint8Array, header: PageHeader): Page {
    const daph2 = header.data_page_header_v2!;
    const { decoder } = this;
    const levelBytes = daph2.repetition_levels_byte_length + daph2.definition_levels_byte_length;
    const levelReader = {
      view: new DataView(compressed.buffer, compressed.byteOffset, compressed.byteLength),
      offset: daph2.repetition_levels_byte_length,
    };
    const levels = this.readLevels(levelReader, daph2.num_values, daph2.definition_levels_byte_length);
    let bytes = compressed.subarray(levelBytes);
    if (daph2.is_compressed !== false)
      bytes = decompressPage(bytes, header.uncompressed_page_size - levelBytes, decoder.codec, decoder.compressors);
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
    return { rows: daph2.num_rows, encoding: 'PLAIN', levels, values: this.plainValues(reader) };
  }

  private plainValues(reader: DataReader): PageValues {
    return this.text ? textValues(reader, this.text) : plainValues(reader, this.decoder);
  }

  private readLevels(reader: DataReader, rows: number, length: number | undefined): ArrayLike<number> {
    if (this.maxLevel === 0) return [];
    const levels = new Uint8Array(rows);
    readRleBitPackedHybrid(reader, 32 - Math.clz32(this.maxLevel), levels, length);
    return this.allPresent(levels) ? [] : levels;
  }

  private allPresent(levels: ArrayLike<number> | undefined): boolean {
    if (!levels) return true;
    for (let index = 0; index < levels.length; index += 1) if (levels[index] !== this.maxLevel) return false;
    return true;
  }
}
