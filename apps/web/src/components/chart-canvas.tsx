import {
  type CandlestickData,
  CandlestickSeries,
  ColorType,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type LineData,
  LineSeries,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef } from 'react';

/**
 * lightweight-charts wrappers. This module is only imported by the chart and P&L pages, so
 * the library lands in their lazily loaded chunks, never in the initial bundle.
 */

function themeColors() {
  const style = getComputedStyle(document.documentElement);
  return {
    background: style.getPropertyValue('--surface').trim() || '#ffffff',
    text: style.getPropertyValue('--text').trim() || '#111111',
    grid: style.getPropertyValue('--border').trim() || '#e5e5e5',
    up: style.getPropertyValue('--up').trim() || '#16a34a',
    down: style.getPropertyValue('--down').trim() || '#dc2626',
    accent: style.getPropertyValue('--accent').trim() || '#2563eb',
  };
}

const istTime = new Intl.DateTimeFormat('en-IN', {
  timeZone: 'Asia/Kolkata',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const istDay = new Intl.DateTimeFormat('en-IN', { timeZone: 'Asia/Kolkata', day: '2-digit', month: 'short' });
const istFull = new Intl.DateTimeFormat('en-IN', {
  timeZone: 'Asia/Kolkata',
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

function toDate(time: unknown): Date {
  return new Date(Number(time) * 1000);
}

function useChart(container: React.RefObject<HTMLDivElement | null>): React.RefObject<IChartApi | null> {
  const chart = useRef<IChartApi | null>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) {
      return;
    }
    const colors = themeColors();
    chart.current = createChart(element, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: colors.background }, textColor: colors.text },
      grid: { vertLines: { color: colors.grid }, horzLines: { color: colors.grid } },
      // Exchange time: the axis and the crosshair read IST whatever the browser's zone.
      localization: { timeFormatter: (time: unknown) => `${istFull.format(toDate(time))} IST` },
      timeScale: {
        timeVisible: true,
        secondsVisible: false,
        tickMarkFormatter: (time: unknown, type: number) =>
          type <= 2 ? istDay.format(toDate(time)) : istTime.format(toDate(time)),
      },
    });
    return () => {
      chart.current?.remove();
      chart.current = null;
    };
  }, [container]);
  return chart;
}

export interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export function CandleChart({ bars, label }: { bars: readonly Bar[]; label: string }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useChart(container);
  const series = useRef<ISeriesApi<'Candlestick'> | null>(null);
  const loadedCount = useRef(0);
  useEffect(() => {
    if (!chart.current) {
      return;
    }
    const colors = themeColors();
    series.current = chart.current.addSeries(CandlestickSeries, {
      upColor: colors.up,
      downColor: colors.down,
      borderVisible: false,
      wickUpColor: colors.up,
      wickDownColor: colors.down,
    });
    loadedCount.current = 0;
  }, [chart]);
  useEffect(() => {
    const target = series.current;
    if (!target || bars.length === 0) {
      return;
    }
    const data = bars.map((bar) => ({ ...bar, time: bar.time as UTCTimestamp })) as CandlestickData[];
    const last = data[data.length - 1];
    // The history loads once; afterwards only the forming bar changes (a live tick).
    if (loadedCount.current > 0 && data.length - loadedCount.current <= 1 && last) {
      target.update(last);
    } else {
      target.setData(data);
      chart.current?.timeScale().fitContent();
    }
    loadedCount.current = data.length;
  }, [bars, chart]);
  return <div ref={container} className="chart" role="img" aria-label={label} data-testid="candle-chart" />;
}

export function LineChart({
  points,
  label,
}: {
  points: readonly { time: number; value: number }[];
  label: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useChart(container);
  const series = useRef<ISeriesApi<'Line'> | null>(null);
  useEffect(() => {
    if (!chart.current) {
      return;
    }
    series.current = chart.current.addSeries(LineSeries, { color: themeColors().accent, lineWidth: 2 });
  }, [chart]);
  useEffect(() => {
    series.current?.setData(
      points.map((point) => ({ time: point.time as UTCTimestamp, value: point.value })) as LineData[],
    );
    chart.current?.timeScale().fitContent();
  }, [points, chart]);
  return <div ref={container} className="chart" role="img" aria-label={label} data-testid="line-chart" />;
}
